import { readdir, readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { simulations } from '../../harness/ssh/profiles';
import { startTestHost } from '../../harness/ssh/test-host';
import { connectToTestHost } from './connect-to-test-host';

async function processesNamed(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(marker)) pids.push(Number(entry));
  }
  return pids;
}

describe('SSH test host harness', () => {
  it('leaves no process behind, not even one detached from its session', async () => {
    const host = await startTestHost({ simulation: simulations.nestedOn });
    const marker = `nestlab-orphan-${randomBytes(4).toString('hex')}`;
    const connection = connectToTestHost(host);
    try {
      // A daemon-like process that outlives its SSH session.
      await connection.exec(`setsid bash -c 'exec -a ${marker} sleep 300' </dev/null >/dev/null 2>&1 &`);
      await expect.poll(() => processesNamed(marker), { interval: 20 }).toHaveLength(1);
    } finally {
      connection.close();
      await host.stop();
    }
    await expect.poll(() => processesNamed(marker), { interval: 20 }).toEqual([]);
  });
});
