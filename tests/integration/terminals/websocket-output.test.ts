/**
 * Terminal output over browser mode's real WebSocket server, from a real local shell: batches
 * travel as binary frames (UTF-8 bytes behind a small header), every other message as JSON, and
 * acknowledgements count bytes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TerminalsService } from '../../../src/main/terminals/terminals-service';
import { startWebServer, type RunningWebServer } from '../../../src/main/server/web-server';
import { Dispatcher } from '../../../src/shared/rpc/dispatcher';
import { createTestServices } from '../../doubles/test-services';
import { connectRawClient } from './websocket-client';
import { tempDir } from '../../harness/temp-dir';

const token = 'W'.repeat(43);
let staticDir: string;
let service: TerminalsService;
let server: RunningWebServer;

beforeEach(async () => {
  staticDir = await tempDir('ws-output');
  service = new TerminalsService({
    locateKubectl: () => Promise.resolve({ available: false, reason: 'not needed in this test' }),
    shell: { file: '/bin/bash', args: ['--norc', '--noprofile'] },
  });
  server = await startWebServer({ dispatcher: new Dispatcher({ ...createTestServices(), terminals: service }), token, staticDir, port: 0 });
});
afterEach(async () => {
  await server.close();
  await service.dispose();
});

const connect = () => connectRawClient(server.port, token);

describe('terminal output over the WebSocket transport', () => {
  it('arrives as binary frames of whole UTF-8 characters, in seq order, while calls are answered in JSON', async () => {
    const client = await connect();
    const tab = (await client.call('open', [{ kind: 'local' }, { cols: 80, rows: 24 }])) as { id: string };
    // About 1.2 MB of 1-, 2-, 3- and 4-byte characters: pty reads end inside characters all the time.
    await client.call('write', [tab.id, `yes 'aé€💡日本' | head -n 80000; echo "end-$((40+2))"\r`]);
    await client.until(() => (client.text(tab.id).slice(-100).includes('end-42') ? true : undefined), 'the end marker');

    const batches = client.outputs.filter((output) => output.terminalId === tab.id);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.map((output) => output.seq)).toEqual(batches.map((_, index) => index + 1));
    // Every batch decodes on its own, strictly: no character is ever cut between two batches.
    const strict = new TextDecoder('utf-8', { fatal: true });
    for (const batch of batches) expect(() => strict.decode(batch.data)).not.toThrow();
    const lines = client
      .text(tab.id)
      .split('\r\n')
      // Drop what precedes a carriage return (the prompt's bracketed-paste switch before the first line).
      .map((line) => line.replace(/^.*\r/, ''))
      .filter((line) => line.startsWith('a'));
    expect(lines).toHaveLength(80000);
    expect(new Set(lines)).toEqual(new Set(['aé€💡日本']));
    // Results stayed JSON text frames.
    expect(client.json.every((message) => message.type === 'result')).toBe(true);
    client.socket.close();
  });

  it('pauses the shell while bytes are unacknowledged and resumes on an acknowledgement in bytes', async () => {
    const client = await connect();
    const tab = (await client.call('open', [{ kind: 'local' }, { cols: 80, rows: 24 }])) as { id: string };
    const received = () =>
      client.outputs.filter((output) => output.terminalId === tab.id).reduce((sum, output) => sum + output.data.byteLength, 0);
    // 6 MB of two-byte characters: far above the 4 MiB high watermark, and nothing is acknowledged yet.
    await client.call('write', [tab.id, `yes 'éééééééééééééééééééééééééééééééééééééé' | head -c 6000000; echo; echo "end-$((40+2))"\r`]);
    await client.until(() => (received() > 4 * 1024 * 1024 ? true : undefined), 'output above the high watermark');
    const stalled = received();
    // Nothing to await: the point is that nothing more arrives. A round trip settles what was in flight.
    await client.call('list', []);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received() - stalled).toBeLessThan(1024 * 1024);
    expect(client.text(tab.id)).not.toContain('end-42');

    await client.call('acknowledge', [tab.id, received()]);
    const acknowledgeAsItComes = () => {
      void client.call('acknowledge', [tab.id, client.outputs.at(-1)!.data.byteLength]);
    };
    client.socket.on('message', (_data, isBinary) => (isBinary ? acknowledgeAsItComes() : undefined));
    await client.until(() => (client.text(tab.id).slice(-100).includes('end-42') ? true : undefined), 'the end marker after acknowledging');
    client.socket.close();
  });
});
