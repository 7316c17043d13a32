/**
 * kubeadm upgrade of a lab one minor version (issue 21), through the labs service, on a stand-in
 * libvirt host (SIMULATION: the VMs are stand-ins whose kubeadm, kubelet, apt-get and apt-mark
 * keep the versions and holds in the VM's folder and refuse what the real ones refuse: a held
 * package, a version the configured pkgs.k8s.io minor repository does not carry, kubeadm upgrading
 * past its own version; joined VMs are simulated nodes of the harness's real control plane, so
 * cordon, the eviction API's drain and uncordon are real). Only one Kubernetes version can be
 * built here, so the new version itself is never run.
 *
 * An upgrade cut off after a node was cordoned (the worker's kubelet download fails) fails naming
 * it, leaves the node cordoned, and a resume finishes it and uncordons the node.
 */
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeRestClient } from '../../harness/index.js';
import { TEST_UID } from '../../harness/ssh/simulated-host-files';
import { startLabFixture } from './lab-fixture';
import type { LabFixture } from './lab-fixture';

let lab: LabFixture;
let admin: KubeRestClient;

beforeAll(async () => {
  lab = await startLabFixture();
  admin = new KubeRestClient(lab.controlPlane.admin, 4);
}, 180_000);

afterAll(async () => {
  admin?.close();
  await lab?.stop();
});

const vmFile = (vm: string, ...path: string[]) => join(lab.host.simDir, 'vms', vm, ...path);
const cordoned = async (node: string) =>
  (await admin.request<{ spec: { unschedulable?: boolean } }>('GET', `/api/v1/nodes/${node}`)).spec.unschedulable === true;

describe('kubeadm upgrade of a lab (SIMULATION: stand-in VMs and packages, real control plane)', () => {
  it('upgrades the control plane, then node by node with a drain, and resumes after a failure', { timeout: 300_000 }, async () => {
    await lab.labs.create(lab.plan('upg', 1, { linuxWorkers: 1 }));
    const ready = await lab.settled('upg');
    expect(ready.operation?.error).toBeUndefined();
    await expect(lab.labs.upgrade('upg', { kubernetesVersion: '1.32.0' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'kubeadm upgrades one minor version at a time: from 1.30.8 the next is 1.31.x, not 1.32.0.',
    });

    // The worker's kubelet download fails once, after the worker was cordoned and drained.
    await mkdir(vmFile('upg-linux1', 'faults'), { recursive: true });
    await writeFile(vmFile('upg-linux1', 'faults', 'apt-get-install-kubelet'), '');
    await chown(vmFile('upg-linux1', 'faults'), TEST_UID, TEST_UID);
    const before = (await lab.events()).length;
    await lab.labs.upgrade('upg', { kubernetesVersion: '1.31.4', drainTimeoutSeconds: 60 });
    const failed = await lab.settled('upg');
    expect(failed.status).toBe('failed');
    expect(failed.plan.kubernetesVersion).toBe('1.31.4');
    expect(failed.operation?.error?.message).toMatch(/apt-get.*install.*on upg-linux1 failed .*Failed to fetch/s);
    expect(await cordoned('upg-linux1')).toBe(true);
    expect(await cordoned('upg-cp1')).toBe(false);

    await lab.labs.resume('upg');
    const upgraded = await lab.settled('upg');
    expect(upgraded.operation?.error).toBeUndefined();
    expect(upgraded).toMatchObject({ status: 'ready', operation: { kind: 'upgrade' } });
    expect(await cordoned('upg-linux1')).toBe(false);
    expect(await cordoned('upg-cp1')).toBe(false);

    const events = (await lab.events()).slice(before).map(([, event = '', vm = '', ...rest]) => [event, vm, ...rest].join(' '));
    const upgradeEvents = events.filter((line) => /^(kubeadm-upgrade|apt-install)/.test(line));
    // The first control plane's kubeadm, plan and apply; its kubelet; then the worker's kubeadm and
    // upgrade node; after the failed download the resume runs upgrade node again, then the kubelet.
    expect(upgradeEvents).toEqual([
      'apt-install upg-cp1 kubeadm 1.31.4',
      'kubeadm-upgrade-plan upg-cp1 1.31.4',
      'kubeadm-upgrade-apply upg-cp1 1.31.4',
      'apt-install upg-cp1 kubelet 1.31.4',
      'apt-install upg-cp1 kubectl 1.31.4',
      'apt-install upg-linux1 kubeadm 1.31.4',
      'kubeadm-upgrade-node upg-linux1 1.31.4',
      'kubeadm-upgrade-node upg-linux1 1.31.4',
      'apt-install upg-linux1 kubelet 1.31.4',
      'apt-install upg-linux1 kubectl 1.31.4',
    ]);
    for (const vm of ['upg-cp1', 'upg-linux1']) {
      expect((await readFile(vmFile(vm, 'versions', 'kubelet'), 'utf8')).trim()).toBe('1.31.4');
      // Held again, and the upgrade's cordon marker is gone.
      expect(await readFile(vmFile(vm, 'held', 'kubelet'), 'utf8')).toBe('');
      await expect(readFile(vmFile(vm, 'var', 'lib', 'nestlab', 'upgrade-cordoned'))).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await readFile(vmFile(vm, 'etc', 'apt', 'sources.list.d', 'kubernetes.list'), 'utf8')).toContain(
        '/core:/stable:/v1.31/deb/ /',
      );
    }
    await expect(lab.labs.upgrade('upg', { kubernetesVersion: '1.31.4' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
