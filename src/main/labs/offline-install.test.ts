import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OFFLINE_INSTALL } from './bootstrap';

const run = promisify(execFile);
let dir: string;
let root: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nestlab-offline-install-'));
  root = join(dir, 'root');
  await mkdir(join(root, 'opt', 'nestlab', 'bundle'), { recursive: true });
  // The VM's tools that are not the point here: no package is installed, ctr records its arguments.
  const bin = join(dir, 'bin');
  await mkdir(bin);
  const stubs: Record<string, string> = {
    dpkg: 'exit 0',
    'dpkg-query': 'exit 1',
    'apt-mark': 'exit 0',
    ctr: `printf '%s\\n' "$*" >> '${join(dir, 'ctr.log')}'`,
  };
  for (const [name, body] of Object.entries(stubs)) {
    await writeFile(join(bin, name), `#!/bin/sh\n${body}\n`);
    await chmod(join(bin, name), 0o755);
  }
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A bundle as the computer uploaded it (every file 0644), in the VM user's home folder. */
async function bundle(files: Record<string, string>): Promise<void> {
  for (const [relative, content] of Object.entries(files)) {
    const path = join(dir, 'home', 'nestlab-bundle', relative);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, content);
    await chmod(path, 0o644);
  }
}

/** OFFLINE_INSTALL as root runs it in a VM, with every absolute path moved under `root`. */
async function install(): Promise<void> {
  const script = OFFLINE_INSTALL.replaceAll(' /', ` ${root}/`).replaceAll('"/', `"${root}/`);
  await mkdir(join(dir, 'home'), { recursive: true });
  await run('sh', ['-c', script], { cwd: join(dir, 'home'), env: { PATH: `${join(dir, 'bin')}:/usr/bin:/bin` } });
}

const mode = async (path: string) => ((await stat(join(root, path))).mode & 0o777).toString(8);

describe('the offline bundle install on a Linux VM', () => {
  it('puts bin/ tools into /usr/local/bin and cni/ plugins and configurations where containerd looks, executable or readable', async () => {
    await bundle({
      'bin/crictl': '#!/bin/sh\necho crictl\n',
      'cni/bin/bridge': 'ELF bridge',
      'cni/bin/host-local': 'ELF host-local',
      'cni/net.d/10-lab.conflist': '{"cniVersion":"0.4.0"}\n',
      'images/pause.tar': 'tar',
    });
    await install();
    expect(await mode('usr/local/bin/crictl')).toBe('755');
    expect(await readFile(join(root, 'usr/local/bin/crictl'), 'utf8')).toContain('echo crictl');
    expect(await mode('opt/cni/bin/bridge')).toBe('755');
    expect(await mode('opt/cni/bin/host-local')).toBe('755');
    expect(await mode('etc/cni/net.d/10-lab.conflist')).toBe('644');
    expect(await readFile(join(dir, 'ctr.log'), 'utf8')).toBe(`-n k8s.io images import ${root}/opt/nestlab/bundle/images/pause.tar\n`);
  });

  it('installs a bundle without bin/ or cni/ (packages and images only) and creates nothing for them', async () => {
    await bundle({ 'images/etcd.tar': 'tar' });
    await install();
    expect(existsSync(join(root, 'usr/local/bin'))).toBe(false);
    expect(existsSync(join(root, 'opt/cni'))).toBe(false);
    expect(existsSync(join(root, 'etc/cni'))).toBe(false);
    expect(await readFile(join(dir, 'ctr.log'), 'utf8')).toContain('images/etcd.tar');
  });
});
