import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { kubeadmInstallScript } from './node-install';
import { testPlan } from './test-plans';
import { tempDir } from '../../../tests/harness/temp-dir';

let root: string;

beforeEach(async () => {
  root = await tempDir('install');
});

/** The install script's lines from the one that writes config.toml up to swapoff, with /etc/ in the folder standing for /. */
function containerdPart(): string {
  const script = kubeadmInstallScript(testPlan({ registryMirror: 'https://harbor.lab/proxy' })).split('\n');
  const from = script.findIndex((line) => line.includes('containerd config default'));
  return script.slice(from, script.indexOf('swapoff -a')).join('\n').replaceAll('/etc/', `${root}/etc/`);
}

describe("existing machines' install script: remote writes", () => {
  it('leaves config.toml as it was when the script is killed while writing it (a dropped connection), and writes it whole otherwise', () => {
    const config = join(root, 'etc/containerd/config.toml');
    mkdirSync(join(root, 'etc/containerd'), { recursive: true });
    writeFileSync(config, 'version = 2 # the previous configuration\n');
    // A containerd that prints half its default configuration, then the script dies (SIGKILL to
    // the shell running it, as when sshd ends the session), while sed still writes what arrived.
    const bin = join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'containerd'),
      '#!/bin/sh\nprintf \'version = 2\\n[plugins."io.containerd.grpc.v1.cri"]\\n  SystemdCgroup = false\\n\'\nkill -KILL $PPID\n',
    );
    chmodSync(join(bin, 'containerd'), 0o755);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
    expect(() => execFileSync('sh', ['-e', '-c', containerdPart()], { env, stdio: 'pipe' })).toThrow();
    expect(readFileSync(config, 'utf8')).toBe('version = 2 # the previous configuration\n');
    // (what arrived stays in a temporary file beside it, which nothing reads)
    const afterKill = readdirSync(join(root, 'etc/containerd')).sort();
    expect(afterKill).toEqual(['config.toml', expect.stringMatching(/^config\.toml\.\w{6}$/) as string]);

    // A whole run replaces it and leaves no temporary file of its own.
    writeFileSync(join(bin, 'containerd'), '#!/bin/sh\nprintf \'version = 2\\n  SystemdCgroup = false\\n  config_path = ""\\n\'\n');
    execFileSync('sh', ['-e', '-c', containerdPart()], { env, stdio: 'pipe' });
    expect(readFileSync(config, 'utf8')).toBe(
      'version = 2\n  SystemdCgroup = true\n  config_path = "' + root + '/etc/containerd/certs.d"\n',
    );
    expect(readdirSync(join(root, 'etc/containerd')).sort()).toEqual(['certs.d', ...afterKill]);
    expect(readFileSync(join(root, 'etc/containerd/certs.d/docker.io/hosts.toml'), 'utf8')).toContain(
      '[host."https://harbor.lab/v2/proxy/docker.io"]',
    );
  });
});
