import { execFile, execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { linuxUserData } from './cloud-init';
import { offlineInstallScript } from './node-install';
import { machinesOf } from './machines';
import { TEST_PUBLIC_KEY, testPlan } from './test-plans';
import type { LabPlan } from '../../shared/contract/labs';
import { tempDir } from '../../../tests/harness/temp-dir';

const run = promisify(execFile);
let dir: string;
let root: string;

beforeEach(async () => {
  dir = await tempDir('offline-install');
  root = join(dir, 'root');
  await mkdir(join(root, 'opt', 'nestlab', 'bundle'), { recursive: true });
  // The VM's tools that are not the point here: dpkg installs nothing, containerd (as the image
  // has it) prints a default configuration, systemctl and ctr record their calls in one log.
  await mkdir(join(dir, 'bin'));
  await stub('bin', {
    dpkg: 'exit 0',
    'dpkg-query': 'exit 1',
    'apt-mark': 'exit 0',
    ctr: `printf 'ctr %s\\n' "$*" >> '${join(dir, 'calls.log')}'`,
    systemctl: `printf 'systemctl %s\\n' "$*" >> '${join(dir, 'calls.log')}'`,
  });
  await mkdir(join(dir, 'image-bin'));
  await stub('image-bin', { containerd: CONTAINERD_STUB });
  // The system's tools the script uses, and no others (not this machine's own containerd).
  await mkdir(join(dir, 'system-bin'));
  for (const tool of ['cat', 'cp', 'install', 'ln', 'ls', 'mkdir', 'mv', 'rm', 'sed']) {
    await symlink(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), join(dir, 'system-bin', tool));
  }
});

/** containerd 1.6's `config default`, the lines Nestlab changes. */
const CONTAINERD_STUB = [
  '[ "$1 $2" = "config default" ] || exit 2',
  "printf '%s\\n' 'version = 2' '    [plugins.\"io.containerd.grpc.v1.cri\".registry]' '      config_path = \"\"' '            SystemdCgroup = false'",
].join('\n');

async function stub(folder: string, scripts: Record<string, string>): Promise<void> {
  for (const [name, body] of Object.entries(scripts)) {
    await writeFile(join(dir, folder, name), `#!/bin/sh\n${body}\n`);
    await chmod(join(dir, folder, name), 0o755);
  }
}

/** A bundle as the computer uploaded it (every file 0644), in the VM user's home folder. */
async function bundle(files: Record<string, string>): Promise<void> {
  for (const [relative, content] of Object.entries(files)) {
    const path = join(dir, 'home', 'nestlab-bundle', relative);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, content);
    await chmod(path, 0o644);
  }
}

/**
 * The bundle install as root runs it in a VM, with every absolute path moved under `root`; the
 * image's tools (containerd) on PATH unless `bare`.
 */
async function install(plan: LabPlan = testPlan({ offlineBundle: '/srv/bundle' }), bare = false): Promise<void> {
  const script = offlineInstallScript(plan).replaceAll(' /', ` ${root}/`).replaceAll('"/', `"${root}/`);
  await mkdir(join(dir, 'home'), { recursive: true });
  const path = [join(dir, 'bin'), ...(bare ? [] : [join(dir, 'image-bin')]), join(dir, 'system-bin')].join(':');
  await run('/bin/sh', ['-c', script], { cwd: join(dir, 'home'), env: { PATH: path } });
}

const calls = async () => (await readFile(join(dir, 'calls.log'), 'utf8')).split('\n').filter((line) => line !== '');

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
    expect((await calls()).filter((line) => line.startsWith('ctr'))).toEqual([
      `ctr -n k8s.io images import ${root}/opt/nestlab/bundle/images/pause.tar`,
    ]);
  });

  it('installs a bundle without bin/ or cni/ (packages and images only) and creates nothing for them', async () => {
    await bundle({ 'images/etcd.tar': 'tar' });
    await install();
    expect(existsSync(join(root, 'usr/local/bin'))).toBe(false);
    expect(existsSync(join(root, 'opt/cni'))).toBe(false);
    expect(existsSync(join(root, 'etc/cni'))).toBe(false);
    expect((await calls()).join('\n')).toContain('images/etcd.tar');
  });

  it("writes containerd's config.toml after the packages (systemd cgroups, the mirror's config_path), then restarts containerd before the images go in", async () => {
    await bundle({ 'images/pause.tar': 'tar' });
    await install(testPlan({ offlineBundle: '/srv/bundle', registryMirror: 'https://mirror.lab.internal:5000' }));
    const config = await readFile(join(root, 'etc/containerd/config.toml'), 'utf8');
    expect(config).toContain('SystemdCgroup = true');
    // (the folder standing for / is in the sed expression too)
    expect(config).toContain(`config_path = "${root}/etc/containerd/certs.d"`);
    expect(existsSync(join(root, 'etc/containerd/config.toml.default'))).toBe(false);
    expect(await calls()).toEqual([
      'systemctl restart containerd',
      `ctr -n k8s.io images import ${root}/opt/nestlab/bundle/images/pause.tar`,
    ]);
    // Without a mirror: the cgroup driver only.
    await install(testPlan({ offlineBundle: '/srv/bundle' }));
    expect(await readFile(join(root, 'etc/containerd/config.toml'), 'utf8')).toContain('config_path = ""');
  });

  it('leaves config.toml as it was when the install is killed while sed writes it (a dropped session), and leaves no temporary file after a whole run', async () => {
    await bundle({ 'images/pause.tar': 'tar' });
    await mkdir(join(root, 'etc/containerd'), { recursive: true });
    await writeFile(join(root, 'etc/containerd/config.toml'), 'version = 2 # the previous configuration\n');
    // A sed that writes half a line, then the shell running the install dies (SIGKILL, as when
    // sshd ends the session).
    await stub('bin', { sed: "printf 'version = 2\\n[plugins' ; kill -KILL $PPID" });
    await expect(install()).rejects.toThrow();
    expect(await readFile(join(root, 'etc/containerd/config.toml'), 'utf8')).toBe('version = 2 # the previous configuration\n');

    await rm(join(dir, 'bin', 'sed'));
    await install();
    expect(await readFile(join(root, 'etc/containerd/config.toml'), 'utf8')).toContain('SystemdCgroup = true');
    expect(existsSync(join(root, 'etc/containerd/config.toml.nestlab-tmp'))).toBe(false);
  });

  it('a bare image whose containerd comes from the bundle: cloud-init leaves config.toml alone, the install writes it once dpkg put containerd there', async () => {
    const plan = testPlan({ offlineBundle: '/srv/bundle' });
    // The seed runs before the bundle is even copied: it must not run containerd (the old seed's
    // `containerd config default | sed > config.toml` left an empty file on such an image).
    const seed = linuxUserData(machinesOf(plan)[0]!, plan, TEST_PUBLIC_KEY);
    expect(seed).not.toContain('containerd config default');
    expect(seed).not.toContain('restart');
    // dpkg -i of the bundle's containerd .deb puts containerd on PATH.
    await stub('bin', { dpkg: `ln -sf '${join(dir, 'image-bin', 'containerd')}' '${join(dir, 'bin', 'containerd')}'` });
    await bundle({ 'debs/containerd_1.6.20_amd64.deb': 'deb' });
    await install(plan, true);
    expect(await readFile(join(root, 'etc/containerd/config.toml'), 'utf8')).toContain('SystemdCgroup = true');
  });

  it('refuses a bare image and a bundle without containerd, naming both and the fix', async () => {
    await bundle({ 'images/pause.tar': 'tar' });
    await expect(install(testPlan({ offlineBundle: '/srv/bundle' }), true)).rejects.toMatchObject({
      stderr: expect.stringContaining(
        'containerd is not installed: the machine image has none and debs/ of the offline bundle holds no containerd package. Put containerd and runc .debs',
      ) as string,
    });
    expect(existsSync(join(dir, 'calls.log'))).toBe(false);
  });

  it('k3s (its own containerd): no containerd configuration', async () => {
    await bundle({ k3s: 'ELF k3s' });
    await mkdir(join(root, 'usr/local/bin'), { recursive: true });
    await install(testPlan({ offlineBundle: '/srv/bundle', distribution: 'k3s', windowsWorkers: 0 }), true);
    expect(existsSync(join(root, 'etc/containerd'))).toBe(false);
    expect(await mode('usr/local/bin/k3s')).toBe('755');
  });
});
