import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { cleanStaleKubeconfigs, writePrivateKubeconfig } from './context-kubeconfig';
import { tempDir } from '../../../tests/harness/temp-dir';

let parent: string;
beforeEach(async () => {
  parent = await tempDir('kubeconfig-parent');
});

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = execFile('/bin/true');
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('private kubeconfigs', () => {
  it('names the folder after this process and removes it on close', async () => {
    const kubeconfig = await writePrivateKubeconfig('apiVersion: v1\n', parent);
    expect(kubeconfig.path).toMatch(new RegExp(`/nestlab-kubeconfig-${process.pid}-[^/]+/config$`));
    await kubeconfig.remove();
    expect(existsSync(kubeconfig.path)).toBe(false);
  });

  it('at start removes the ones a crashed Nestlab left, and keeps those of a Nestlab still running', async () => {
    const live = await writePrivateKubeconfig('token: live\n', parent);
    const crashed = join(parent, `nestlab-kubeconfig-${await deadPid()}-a1b2c3`);
    await mkdir(crashed);
    await writeFile(join(crashed, 'config'), 'token: left-behind\n', { mode: 0o600 });
    // Older folders without a pid: removed only once a day old.
    const oldUnowned = join(parent, 'nestlab-kubeconfig-Xy12Zq');
    const newUnowned = join(parent, 'nestlab-kubeconfig-Ab34Cd');
    for (const dir of [oldUnowned, newUnowned]) await mkdir(dir);
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60_000);
    await utimes(oldUnowned, twoDaysAgo, twoDaysAgo);
    const unrelated = join(parent, 'something-else');
    await mkdir(unrelated);

    const removed = await cleanStaleKubeconfigs(parent);
    expect(removed.sort()).toEqual([crashed, oldUnowned].sort());
    expect(existsSync(live.path)).toBe(true);
    expect(existsSync(newUnowned)).toBe(true);
    expect(existsSync(unrelated)).toBe(true);
  });
});
