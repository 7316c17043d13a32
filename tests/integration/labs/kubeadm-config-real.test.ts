/**
 * The real kubeadm 1.20.2 (built from Debian's Kubernetes source by `scripts/test-cluster/provision.sh
 * --node`, as the real-VM tier uses it) reads the kubeadm configuration Nestlab writes for a 1.20
 * lab: v1beta2, strictly (kubeadm warns about every field it does not know), with nothing run but
 * the configuration commands (`kubeadm config images list` decodes, defaults and validates an
 * InitConfiguration + ClusterConfiguration; `kubeadm config migrate` a JoinConfiguration). The
 * v1beta3 that Nestlab wrote for every version before is refused by it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { etcdMemberConfig, kubeadmInitConfig, kubeadmJoinConfig } from '../../../src/main/labs/kubeadm-config';
import { machinesOf } from '../../../src/main/labs/machines';
import { testPlan } from '../../../src/main/labs/test-plans';
import type { LabMachine, LabPlan } from '../../../src/shared/contract/labs';
import { KUBERNETES_VERSION, nestlabCacheDir } from '../../harness/binaries';
import { tempDir } from '../../harness/temp-dir';

const run = promisify(execFile);
const kubeadm = join(nestlabCacheDir(), `kubernetes-${KUBERNETES_VERSION}`, 'node-bin', 'kubeadm');
const join1 = { token: 'abcdef.0123456789abcdef', caCertHash: `sha256:${'a'.repeat(64)}` };

let dir: string;

beforeAll(async () => {
  if (!existsSync(kubeadm)) {
    throw new Error(
      `kubeadm ${KUBERNETES_VERSION} is not built: run bash scripts/test-cluster/provision.sh --node (npm test does, as root).`,
    );
  }
  dir = await tempDir('kubeadm-config');
});

/** Runs the real kubeadm on a configuration file; its exit code, output and warnings. */
async function kubeadmReads(name: string, text: string, command: 'images' | 'migrate') {
  const path = join(dir, name);
  await writeFile(path, text, { mode: 0o600 });
  const argv = command === 'images' ? ['config', 'images', 'list', '--config', path] : ['config', 'migrate', '--old-config', path];
  try {
    const { stdout, stderr } = await run(kubeadm, argv, { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

function machine(plan: LabPlan, name: string): LabMachine {
  const found = machinesOf(plan).find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no machine ${name}`);
  return found;
}

const plan = testPlan({
  kubernetesVersion: KUBERNETES_VERSION,
  controlPlaneCount: 3,
  windowsWorkers: 0,
  offlineBundle: '/srv/nestlab-bundle',
  registryMirror: 'https://mirror.lab.internal:5000',
});

describe(`kubeadm ${KUBERNETES_VERSION} (real) reads Nestlab's v1beta2 configuration`, () => {
  it('InitConfiguration + ClusterConfiguration + KubeletConfiguration: accepted without a warning, images from the mirror', async () => {
    const init = kubeadmInitConfig(plan, machine(plan, 'lab1-cp1'), '192.168.150.101');
    expect(init).toContain('apiVersion: kubeadm.k8s.io/v1beta2');
    const read = await kubeadmReads('init.yaml', init, 'images');
    expect(read.stderr).toBe('');
    expect(read.code).toBe(0);
    expect(read.stdout).toContain(`mirror.lab.internal:5000/registry.k8s.io/kube-apiserver:v${KUBERNETES_VERSION}`);
  });

  it('external etcd: the control plane’s ClusterConfiguration.etcd.external and each member’s etcd flags', async () => {
    const external = { ...plan, etcd: 'external' as const };
    const members = [1, 2, 3].map((index) => ({ name: `lab1-etcd${index}`, address: `192.168.150.${110 + index}` }));
    const init = kubeadmInitConfig(
      external,
      machine(external, 'lab1-cp1'),
      '192.168.150.101',
      members.map((member) => member.address),
    );
    for (const [name, text] of [
      ['external-init.yaml', init],
      ['etcd-member.yaml', etcdMemberConfig(external, members, 'lab1-etcd2')],
    ] as const) {
      const read = await kubeadmReads(name, text, 'images');
      expect(read.stderr, name).toBe('');
      expect(read.code, name).toBe(0);
    }
  });

  it('JoinConfiguration of a control plane and of a worker', async () => {
    const controlPlane = kubeadmJoinConfig(
      plan,
      machine(plan, 'lab1-cp2'),
      { ...join1, certificateKey: 'f'.repeat(64) },
      '192.168.150.102',
    );
    const worker = kubeadmJoinConfig(plan, machine(plan, 'lab1-linux1'), join1, '192.168.150.104');
    for (const [name, text] of [
      ['join-control-plane.yaml', controlPlane],
      ['join-worker.yaml', worker],
    ] as const) {
      const read = await kubeadmReads(name, text, 'migrate');
      expect(read.stderr, name).toBe('');
      expect(read.code, name).toBe(0);
      expect(read.stdout, name).toContain('kind: JoinConfiguration');
    }
  });

  it('refuses the v1beta3 configuration Nestlab wrote for every version before the version table', async () => {
    const init = kubeadmInitConfig(plan, machine(plan, 'lab1-cp1'), '192.168.150.101').replaceAll(
      'kubeadm.k8s.io/v1beta2',
      'kubeadm.k8s.io/v1beta3',
    );
    const read = await kubeadmReads('v1beta3.yaml', init, 'images');
    expect(read.code).not.toBe(0);
    // kubeadm names whichever document it converts first (Go map order): Init- or ClusterConfiguration.
    expect(read.stderr).toMatch(/no kind "(Init|Cluster)Configuration" is registered for version "kubeadm\.k8s\.io\/v1beta3"/);
  });
});
