/**
 * The registry mirror of a lab, for every registry the lab pulls from (issue 22). A lab with a
 * mirror is provisioned on the simulated libvirt host (SIMULATION: stand-in VMs); the containerd
 * configuration its Linux nodes get (the seed's hosts.toml files and the config.toml command) is
 * then given to Debian's real containerd 1.6: `containerd config default` through the seed's sed,
 * and a real `ctr images pull --hosts-dir` of an image of each registry. The pulls run in a network
 * namespace of the test's own with only loopback up, where a logging stand-in for the mirror
 * answers 404 (containerd then falls back to the registry itself, which cannot resolve there): the
 * mirror must be asked for each image under the registry's path.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { mirroredImage, pulledRegistries } from '../../../src/main/labs/registry-mirror';
import type { LabPlan } from '../../../src/shared/contract/labs';
import { getFreePort } from '../../harness/index.js';
import { startLabFixture } from './lab-fixture';
import type { LabFixture } from './lab-fixture';
import { tempDir } from '../../harness/temp-dir';

const run = promisify(execFile);

/** An image of each registry a kubeadm + flannel lab's Linux nodes pull from. */
const SAMPLE_IMAGES: Readonly<Record<string, string>> = {
  'docker.io': 'docker.io/flannel/flannel:v0.26.1',
  'ghcr.io': 'ghcr.io/flannel-io/flannel:v0.26.1',
  'quay.io': 'quay.io/metallb/controller:v0.14.9',
  'registry.k8s.io': 'registry.k8s.io/pause:3.9',
};

interface Seed {
  write_files: { path: string; content: string }[];
  runcmd: (string | string[])[];
}

let lab: LabFixture;
let work: string;
let mirror: string;
let plan: LabPlan;

beforeAll(async () => {
  work = await tempDir('mirror');
  // The port is only used inside the test's own network namespace.
  mirror = `http://127.0.0.1:${await getFreePort()}`;
  lab = await startLabFixture();
  plan = lab.plan('mir1', 1, { linuxWorkers: 1, windowsWorkers: 0, registryMirror: mirror });
  expect((await lab.labs.create(plan)).status).toBe('started');
  const done = await lab.settled('mir1');
  expect(done.operation?.error).toBeUndefined();
}, 240_000);

afterAll(async () => {
  await lab?.stop();
});

/** The user-data cloud-init reads on a lab VM (the seed the host holds). */
async function seedOf(vm: string): Promise<Seed> {
  const text = await lab.onHost(`cat /var/lib/libvirt/images/nestlab-mir1/${vm}-seed/user-data`);
  return parse(text.replace(/^#cloud-config\n/, '')) as Seed;
}

/**
 * Pulls each image with the real ctr against a real containerd daemon, both in a new network
 * namespace with only loopback up, where a stand-in mirror logs every request and answers 404.
 * Returns the mirror's request lines ("HEAD /v2/...").
 */
async function pullThroughMirror(hostsDir: string, images: string[]): Promise<string[]> {
  const dir = await mkdtemp(join(work, 'containerd-'));
  const port = new URL(mirror).port;
  await writeFile(
    join(dir, 'config.toml'),
    [
      'version = 2',
      `root = "${dir}/root"`,
      `state = "${dir}/state"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${dir}/containerd.sock"`,
      '',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'mirror.mjs'),
    [
      "import { appendFileSync, writeFileSync } from 'node:fs';",
      "import { createServer } from 'node:http';",
      'const [port, log, ready] = process.argv.slice(2);',
      'createServer((request, response) => {',
      '  appendFileSync(log, `${request.method} ${request.url}\\n`);',
      "  response.writeHead(404, { 'content-type': 'application/json' });",
      '  response.end(JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] }));',
      "}).listen(Number(port), '127.0.0.1', () => writeFileSync(ready, ''));",
      '',
    ].join('\n'),
  );
  const script = [
    'set -e',
    'ip link set lo up',
    `containerd --config '${dir}/config.toml' >'${dir}/containerd.log' 2>&1 &`,
    `node '${dir}/mirror.mjs' ${port} '${dir}/requests.log' '${dir}/mirror.ready' &`,
    `for attempt in $(seq 200); do [ -S '${dir}/containerd.sock' ] && [ -f '${dir}/mirror.ready' ] && break; sleep 0.05; done`,
    `for image in "$@"; do ctr -a '${dir}/containerd.sock' images pull --hosts-dir '${hostsDir}' "$image" >/dev/null 2>&1 || true; done`,
  ].join('\n');
  // PID 1 of a PID namespace of its own: containerd and the mirror end with the script.
  await run('unshare', ['--net', '--pid', '--fork', '--kill-child', 'sh', '-c', script, 'pull', ...images], { timeout: 60_000 });
  return (await readFile(join(dir, 'requests.log'), 'utf8').catch(() => '')).split('\n').filter((line) => line !== '');
}

describe('a lab with a registry mirror (SIMULATION: stand-in VMs; real containerd reads what they were given)', () => {
  it('gives every Linux node a hosts.toml for each registry the lab pulls from, and config_path in config.toml', async () => {
    const registries = pulledRegistries(plan, 'linux').map((entry) => entry.registry);
    expect(registries).toEqual(Object.keys(SAMPLE_IMAGES));
    for (const vm of ['mir1-cp1', 'mir1-linux1']) {
      const seed = await seedOf(vm);
      const hosts = seed.write_files.filter((file) => file.path.startsWith('/etc/containerd/certs.d/'));
      expect(hosts.map((file) => file.path)).toEqual(registries.map((registry) => `/etc/containerd/certs.d/${registry}/hosts.toml`));
      // config.toml as the seed's command makes it, with the real `containerd config default`.
      const command = seed.runcmd.find(
        (entry): entry is string[] => Array.isArray(entry) && entry.join(' ').includes('containerd config default'),
      );
      const configPath = join(work, `${vm}-config.toml`);
      await run('sh', ['-c', command![2]!.replaceAll('/etc/containerd/config.toml', configPath)]);
      const config = await readFile(configPath, 'utf8');
      expect(config).toMatch(/\[plugins\."io\.containerd\.grpc\.v1\.cri"\.registry\]\n\s+config_path = "\/etc\/containerd\/certs\.d"\n/);
      expect(config).toContain('SystemdCgroup = true');
    }
  });

  it("makes real containerd ask the mirror for each registry's images under the registry's path", { timeout: 90_000 }, async () => {
    const seed = await seedOf('mir1-cp1');
    const hostsDir = join(work, 'certs.d');
    for (const file of seed.write_files.filter((entry) => entry.path.startsWith('/etc/containerd/certs.d/'))) {
      const path = join(hostsDir, file.path.slice('/etc/containerd/certs.d/'.length));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.content);
    }
    const images = Object.values(SAMPLE_IMAGES);
    const requests = await pullThroughMirror(hostsDir, images);
    for (const [registry, image] of Object.entries(SAMPLE_IMAGES)) {
      // mirror/<registry>/<repository>:<tag> -> GET|HEAD /v2/<registry>/<repository>/manifests/<tag>?ns=<registry>
      const [repository, tag] = mirroredImage(image, mirror)
        .slice(new URL(mirror).host.length + 1)
        .split(':');
      expect(requests, image).toContain(`HEAD /v2/${repository}/manifests/${tag}?ns=${registry}`);
    }
    // Nothing else was asked of the mirror: no request outside a registry's path.
    expect(requests.filter((line) => !Object.keys(SAMPLE_IMAGES).some((registry) => line.includes(`/v2/${registry}/`)))).toEqual([]);
  });
});
