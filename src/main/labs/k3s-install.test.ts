import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { K3S_ONLINE_INSTALL, k3sInstallScriptUrl } from './bootstrap';
import { testPlan } from './test-plans';

const run = promisify(execFile);
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nestlab-k3s-install-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A curl on PATH that "downloads" `script` to its -o file and exits with `code` (18: transfer cut short). */
async function fakeCurl(script: string, code: number): Promise<void> {
  await writeFile(join(dir, 'served.sh'), script);
  const body = `#!/bin/sh\nwhile [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done\ncp '${join(dir, 'served.sh')}' "$out"\nexit ${code}\n`;
  await writeFile(join(dir, 'curl'), body);
  await chmod(join(dir, 'curl'), 0o755);
}

const install = (url: string) =>
  run('sh', ['-c', K3S_ONLINE_INSTALL, 'k3s-install', url, 'server', '--node-name', 'lab1-cp1'], {
    env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` },
  });

describe('the online k3s install (sh, with a stand-in curl)', () => {
  it("fetches the plan's own k3s release tag, not the moving get.k3s.io", () => {
    expect(k3sInstallScriptUrl(testPlan({ kubernetesVersion: '1.30.8' }))).toBe(
      'https://raw.githubusercontent.com/k3s-io/k3s/v1.30.8%2Bk3s1/install.sh',
    );
  });

  it('never runs a download that was cut short (curl | sh would have run the part that arrived)', async () => {
    const marker = join(dir, 'ran');
    await fakeCurl(`echo partial > '${marker}'\n# the rest never arrived`, 18);
    await expect(install('https://example.invalid/install.sh')).rejects.toMatchObject({ code: 18 });
    expect(existsSync(marker)).toBe(false);
  });

  it('runs a whole download with its arguments and prints its SHA-256 for the log', async () => {
    const marker = join(dir, 'ran');
    const script = `echo "ran with $*" > '${marker}'\n`;
    await fakeCurl(script, 0);
    const { stdout } = await install('https://example.invalid/install.sh');
    expect(await readFile(marker, 'utf8')).toBe('ran with server --node-name lab1-cp1\n');
    const { createHash } = await import('node:crypto');
    expect(stdout).toContain(`k3s install script sha256 ${createHash('sha256').update(script).digest('hex')}`);
  });
});
