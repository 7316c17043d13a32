import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { K3S_ONLINE_INSTALL } from './bootstrap';
import { K3S_INSTALL_SCRIPT } from './pinned-scripts';
import { tempDir } from '../../../tests/harness/temp-dir';

const run = promisify(execFile);
let dir: string;

beforeEach(async () => {
  dir = await tempDir('k3s-install');
});

/** A curl on PATH that "downloads" `script` to its -o file and exits with `code` (18: transfer cut short). */
async function fakeCurl(script: string, code: number): Promise<void> {
  await writeFile(join(dir, 'served.sh'), script);
  const body = `#!/bin/sh\nwhile [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done\ncp '${join(dir, 'served.sh')}' "$out"\nexit ${code}\n`;
  await writeFile(join(dir, 'curl'), body);
  await chmod(join(dir, 'curl'), 0o755);
}

const install = (url: string, expectedSha256 = '') =>
  run('sh', ['-c', K3S_ONLINE_INSTALL, 'k3s-install', url, expectedSha256, 'server', '--node-name', 'lab1-cp1'], {
    env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` },
  });

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('the online k3s install (sh, with a stand-in curl)', () => {
  it('fetches install.sh at a k3s-io/k3s commit, not a tag or branch (which can move) or get.k3s.io', () => {
    expect(K3S_INSTALL_SCRIPT.url).toMatch(/^https:\/\/raw\.githubusercontent\.com\/k3s-io\/k3s\/[0-9a-f]{40}\/install\.sh$/);
  });

  it('never runs a download that was cut short (curl | sh would have run the part that arrived), and names the offline bundle', async () => {
    const marker = join(dir, 'ran');
    await fakeCurl(`echo partial > '${marker}'\n# the rest never arrived`, 18);
    await expect(install('https://example.invalid/install.sh')).rejects.toMatchObject({
      code: 18,
      stderr: expect.stringContaining(
        'Could not download the k3s install script from https://example.invalid/install.sh. An offline bundle',
      ),
    });
    expect(existsSync(marker)).toBe(false);
  });

  it('runs a whole download with its arguments and prints its SHA-256 for the log', async () => {
    const marker = join(dir, 'ran');
    const script = `echo "ran with $*" > '${marker}'\n`;
    await fakeCurl(script, 0);
    const { stdout } = await install('https://example.invalid/install.sh');
    expect(await readFile(marker, 'utf8')).toBe('ran with server --node-name lab1-cp1\n');
    expect(stdout).toContain(`k3s install script sha256 ${sha256(script)}`);
  });

  it('with a pinned checksum, runs only a download that has it', async () => {
    const marker = join(dir, 'ran');
    const script = `echo "ran with $*" > '${marker}'\n`;
    await fakeCurl(script, 0);
    await install('https://example.invalid/install.sh', sha256(script));
    expect(await readFile(marker, 'utf8')).toBe('ran with server --node-name lab1-cp1\n');
  });

  it('with a pinned checksum, refuses other content before it runs, with both checksums and the offline bundle', async () => {
    const marker = join(dir, 'ran');
    const script = `echo tampered > '${marker}'\n`;
    await fakeCurl(script, 0);
    const pinned = sha256('the reviewed script\n');
    await expect(install('https://example.invalid/install.sh', pinned)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`has SHA-256 ${sha256(script)}, not the pinned ${pinned}: it was not run. An offline bundle`),
    });
    expect(existsSync(marker)).toBe(false);
  });
});
