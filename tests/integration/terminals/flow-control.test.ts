/**
 * End-to-end flow control through the in-memory transport (JSON, like WebSocket): a client that
 * stops acknowledging stops the shell's output; acknowledging lets the rest through, in order.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connectTerminals } from './harness-services';

let link: ReturnType<typeof connectTerminals>;
afterEach(async () => {
  await link?.dispose();
});

describe('terminal flow control', () => {
  it('pauses the pty while output is unacknowledged and delivers everything once acknowledged', async () => {
    const high = 64 * 1024;
    const maxBatch = 16 * 1024;
    link = connectTerminals({
      shell: { file: '/bin/bash', args: ['--norc', '--noprofile'] },
      highWatermark: high,
      lowWatermark: 8 * 1024,
      batchMaxBytes: maxBatch,
    });
    const { client, api } = link;
    const tab = await client.open({ kind: 'local' });
    await client.run(tab.id, 'true');
    client.acknowledging = false;
    const start = client.text(tab.id).length;
    // About 1.3 MB; the line that ends it is built by the shell so the echoed command cannot match.
    await api.terminals.write(tab.id, 'seq 1 200000; echo "done-$((40+2))"\r');
    await client.waitForOutput(tab.id, /(^|[\r\n])1\r\n2\r\n/, { from: start });

    // Without acknowledgements the producer stops: the count of unacknowledged output settles
    // just above the high watermark (a batch in flight and one pty read may still arrive).
    await client.waitForLength(tab.id, high, { from: start });
    let settled = client.text(tab.id).length;
    for (let checks = 0; checks < 5; checks++) {
      // Nothing to await here: the point is that nothing arrives. Give it several batch periods.
      await new Promise((resolve) => setTimeout(resolve, 100));
      settled = client.text(tab.id).length;
    }
    const unacknowledged = settled - start;
    expect(unacknowledged).toBeGreaterThan(high);
    expect(unacknowledged).toBeLessThan(high + maxBatch + 128 * 1024);
    expect(client.text(tab.id)).not.toMatch(/\n200000\r/);

    client.acknowledging = true;
    await api.terminals.acknowledge(tab.id, client.text(tab.id).length);
    await client.waitForOutput(tab.id, /done-42/, { from: start, timeoutMs: 30_000 });
    const lines = client
      .text(tab.id)
      .slice(start)
      .split(/\r?\n/)
      // Drop what precedes a carriage return (the prompt's bracketed-paste switch before "1").
      .map((line) => line.replace(/^.*\r/, ''))
      .filter((line) => /^\d+$/.test(line))
      .map(Number);
    expect(lines).toHaveLength(200000);
    expect(lines.every((value, index) => value === index + 1)).toBe(true);
  });
});
