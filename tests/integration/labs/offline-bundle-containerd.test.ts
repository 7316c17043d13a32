/**
 * containerd's configuration on a lab node installed from an offline bundle, on a bare image whose
 * containerd comes from the bundle's debs/ (issue 18, found by W2): Debian's real containerd 1.6
 * prints its default configuration through the product's bundle install script, and loads the
 * config.toml that script wrote (`containerd config dump`). The old seed ran `containerd config
 * default | sed > config.toml` in cloud-init, before the bundle was even copied: on such an image
 * config.toml was empty (containerd's defaults: cgroupfs, no mirror).
 *
 * The "VM" is a folder standing for / (every absolute path of the script moved under it); dpkg is
 * a stand-in whose install of the bundle's containerd .deb puts the real containerd on PATH, and
 * systemctl and ctr record their calls. Nothing is installed on this machine.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { offlineInstallScript } from '../../../src/main/labs/node-install';
import { linuxUserData } from '../../../src/main/labs/cloud-init';
import { machinesOf } from '../../../src/main/labs/machines';
import { TEST_PUBLIC_KEY, testPlan } from '../../../src/main/labs/test-plans';
import { tempDir } from '../../harness/temp-dir';

const run = promisify(execFile);
const MIRROR = 'https://mirror.lab.internal:5000';
let dir: string;

beforeAll(async () => {
  dir = await tempDir('bundle-containerd');
});

async function script(folder: string, name: string, body: string): Promise<void> {
  await writeFile(join(folder, name), `#!/bin/sh\n${body}\n`);
  await chmod(join(folder, name), 0o755);
}

describe('a bare image with containerd from the offline bundle (REAL containerd 1.6 writes and reads config.toml)', () => {
  it('the seed leaves containerd alone; the bundle install writes config.toml after dpkg, systemd cgroups and the mirror, and restarts containerd before the images', async () => {
    const plan = testPlan({ offlineBundle: '/srv/nestlab-bundle', registryMirror: MIRROR, windowsWorkers: 0 });
    // cloud-init runs before the engine copies the bundle in: containerd may not exist yet.
    const seed = linuxUserData(machinesOf(plan)[0]!, plan, TEST_PUBLIC_KEY);
    expect(seed).not.toContain('containerd config default');

    const root = join(dir, 'root');
    const bin = join(dir, 'bin');
    const home = join(dir, 'home');
    // (the install step makes /opt/nestlab/bundle before it runs the script)
    for (const folder of [
      join(root, 'opt/nestlab/bundle'),
      bin,
      join(home, 'nestlab-bundle', 'debs'),
      join(home, 'nestlab-bundle', 'images'),
    ]) {
      await mkdir(folder, { recursive: true });
    }
    await writeFile(join(home, 'nestlab-bundle', 'debs', 'containerd_1.6.20~ds1-1+deb12u3_amd64.deb'), 'deb');
    await writeFile(join(home, 'nestlab-bundle', 'images', 'pause.tar'), 'tar');
    const calls = join(dir, 'calls.log');
    const realContainerd = execFileSync('sh', ['-c', 'command -v containerd'], { encoding: 'utf8' }).trim();
    await script(bin, 'dpkg', `[ "$1" = -i ] && ln -sf '${realContainerd}' '${bin}/containerd'`);
    await script(bin, 'dpkg-query', 'exit 1');
    await script(bin, 'systemctl', `printf 'systemctl %s\\n' "$*" >>'${calls}'`);
    await script(bin, 'ctr', `printf 'ctr %s\\n' "$*" >>'${calls}'`);
    // The system's tools the script uses, and no others: no containerd until dpkg put it there.
    for (const tool of ['cp', 'install', 'ln', 'ls', 'mkdir', 'mv', 'rm', 'sed']) {
      await symlink(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), join(bin, tool));
    }

    const moved = offlineInstallScript(plan).replaceAll(' /', ` ${root}/`).replaceAll('"/', `"${root}/`);
    await run('/bin/sh', ['-c', moved], { cwd: home, env: { PATH: bin } });

    const configPath = join(root, 'etc/containerd/config.toml');
    const written = await readFile(configPath, 'utf8');
    expect(written).toMatch(/^version = 2$/m);
    // What containerd itself reads from it.
    const { stdout: dump } = await run(realContainerd, ['--config', configPath, 'config', 'dump']);
    expect(dump).toMatch(/^\s+SystemdCgroup = true$/m);
    expect(dump).toMatch(/\[plugins\."io\.containerd\.grpc\.v1\.cri"\.registry\]\n\s+config_path = "[^"]*\/etc\/containerd\/certs\.d"\n/);
    expect((await readFile(calls, 'utf8')).split('\n')).toEqual([
      'systemctl restart containerd',
      `ctr -n k8s.io images import ${root}/opt/nestlab/bundle/images/pause.tar`,
      '',
    ]);
  });
});
