/**
 * etcd snapshots of a kubeadm lab (issue 21) on a stand-in libvirt host: the lab's first control
 * plane is a stand-in VM whose commands run with the machine's real tools, so Nestlab's
 * `etcdctl snapshot save/status/restore` there is Debian's real etcdctl (etcd-client), talking
 * TLS with the API server's etcd client certificate to a real etcd (/usr/bin/etcd). That etcd is
 * the VM's "static pod": a stand-in kubelet (tests/harness/labs/static-pod-etcd.ts) runs it while
 * /etc/kubernetes/manifests/etcd.yaml is there, as kubeadm's kubelet does. SIMULATION: the VM,
 * the hypervisor and the kubelet; real: SSH, sudo paths, etcdctl, etcd, TLS, the snapshot files.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStackedEtcd } from '../../harness/labs/stacked-etcd';
import type { StackedEtcd } from '../../harness/labs/stacked-etcd';
import { startLabFixture } from './lab-fixture';
import type { LabFixture } from './lab-fixture';

const run = promisify(execFile);
const LAB = 'snap1';

let lab: LabFixture;
let etcd: StackedEtcd;
let vmRoot: string;

beforeAll(async () => {
  lab = await startLabFixture();
  expect((await lab.labs.create(lab.plan(LAB, 1, { linuxWorkers: 0 }))).status).toBe('started');
  expect((await lab.settled(LAB)).status).toBe('ready');
  vmRoot = join(lab.host.simDir, 'vms', `${LAB}-cp1`);
  etcd = await startStackedEtcd(vmRoot, `${LAB}-cp1`);
}, 240_000);

afterAll(async () => {
  await etcd?.stop();
  await lab?.stop();
});

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

describe('etcd snapshots of a kubeadm lab (real etcdctl and etcd on a stand-in control plane)', { timeout: 240_000 }, () => {
  let saved: string;

  it('saves a snapshot on the host with its status and a copy on this computer, both readable by the owner only', async () => {
    for (const name of ['kept-1', 'kept-2', 'kept-3'])
      await etcd.etcdctl('put', `/registry/configmaps/default/${name}`, `{"name":"${name}"}`);
    await etcd.etcdctl('put', '/registry/secrets/default/db-password', 'S3CRET-IN-ETCD');
    await lab.labs.saveEtcdSnapshot(LAB, { keep: 2, copyToComputer: true });
    const after = await lab.settled(LAB);
    expect(after.status, JSON.stringify(after.operation?.error)).toBe('ready');
    expect(after.operation?.kind).toBe('etcd-snapshot');
    const list = await lab.labs.etcdSnapshots(LAB);
    expect(list.supported).toBe(true);
    expect(list.snapshots).toHaveLength(1);
    const [snapshot] = list.snapshots;
    if (snapshot === undefined) return;
    saved = snapshot.name;
    expect(snapshot.name).toMatch(/^etcd-\d{8}-\d{6}$/);
    expect(snapshot.tool).toBe('etcdctl');
    expect(snapshot.savedObjects).toBe(4);
    // The status is etcdctl's own reading of the file this computer got.
    expect(snapshot.localCopy).toBeDefined();
    const local = snapshot.localCopy ?? '';
    const status = JSON.parse((await run('etcdctl', ['snapshot', 'status', local, '-w', 'json'])).stdout) as {
      revision: number;
      totalKey: number;
      hash: number;
    };
    expect(snapshot.revision).toBe(status.revision);
    expect(snapshot.totalKeys).toBe(status.totalKey);
    expect(snapshot.hash).toBe(status.hash.toString(16).padStart(8, '0'));
    expect(snapshot.sha256).toBe(await sha256(local));
    expect(snapshot.sizeBytes).toBe((await stat(local)).size);
    expect((await stat(local)).mode & 0o777).toBe(0o600);
    const onHost = await lab.onHost(
      `stat -c '%a %s' .nestlab/labs/${LAB}/etcd-snapshots/${snapshot.name}.db; stat -c %a .nestlab/labs/${LAB}/etcd-snapshots`,
    );
    expect(onHost.trim().split('\n')).toEqual([`600 ${snapshot.sizeBytes}`, '700']);
    // The snapshot (every Secret) and the client key never reach the log.
    const log = (await lab.labs.logs(LAB, { limit: 5000 })).map((line) => line.text).join('\n');
    expect(log).toContain("'etcdctl' '--endpoints'");
    expect(log).not.toContain('S3CRET-IN-ETCD');
    expect(log).not.toContain(etcd.clientKeyPem.split('\n')[1]);
    // Nothing is left behind on the control plane.
    expect(existsSync(join(vmRoot, 'var', 'lib', 'nestlab', 'etcd-snapshot.db'))).toBe(false);
  });

  it('restores it: the API servers and etcd stop, the data dir is restored, etcd starts again and the deleted objects are back', async () => {
    await etcd.etcdctl('del', '/registry/configmaps/default/kept-2');
    await etcd.etcdctl('del', '/registry/secrets/default/db-password');
    await etcd.etcdctl('put', '/registry/configmaps/default/after-the-snapshot', '{}');
    const startsBefore = etcd.pod.starts();
    await lab.labs.restoreEtcdSnapshot(LAB, saved);
    const after = await lab.settled(LAB);
    expect(after.status, JSON.stringify(after.operation?.error)).toBe('ready');
    expect(after.operation?.steps.map((step) => [step.id, step.status])).toEqual([
      [`etcd-restore-copy:${LAB}-cp1`, 'done'],
      ['etcd-restore-stop', 'done'],
      [`etcd-restore:${LAB}-cp1`, 'done'],
      ['etcd-restore-start', 'done'],
      ['etcd-restore-verify', 'done'],
    ]);
    expect(after.operation?.steps.at(-1)?.detail).toBe('all 4 saved objects are back');
    await etcd.pod.settled();
    expect(etcd.pod.starts()).toBe(startsBefore + 1);
    expect(await etcd.keys()).toEqual([
      '/registry/configmaps/default/kept-1',
      '/registry/configmaps/default/kept-2',
      '/registry/configmaps/default/kept-3',
      '/registry/secrets/default/db-password',
    ]);
    // The API server's manifest is back in place, the old data dir kept beside the restored one, the copy removed.
    expect(existsSync(join(vmRoot, 'etc', 'kubernetes', 'manifests', 'kube-apiserver.yaml'))).toBe(true);
    expect(existsSync(join(vmRoot, 'var', 'lib', `etcd.before-${saved}`))).toBe(true);
    expect(existsSync(join(vmRoot, 'var', 'lib', 'nestlab', `etcd-restore-${saved}.db`))).toBe(false);
  });

  it('restores the same snapshot a second time: the old data dir of the first restore stays, the objects are back again', async () => {
    await etcd.etcdctl('del', '/registry/configmaps/default/kept-1');
    await lab.labs.restoreEtcdSnapshot(LAB, saved);
    const after = await lab.settled(LAB);
    expect(after.status, JSON.stringify(after.operation?.error)).toBe('ready');
    expect(after.operation?.steps.find((step) => step.id === `etcd-restore:${LAB}-cp1`)?.detail).toBe(
      `the old data dir is kept as /var/lib/etcd.before-${saved}.2`,
    );
    expect(after.operation?.steps.at(-1)?.detail).toBe('all 4 saved objects are back');
    await etcd.pod.settled();
    expect(await etcd.keys()).toContain('/registry/configmaps/default/kept-1');
    expect(existsSync(join(vmRoot, 'var', 'lib', `etcd.before-${saved}`))).toBe(true);
    expect(existsSync(join(vmRoot, 'var', 'lib', 'nestlab', `etcd-restore-${saved}.restored`))).toBe(false);
  });

  it('keeps as many snapshots as asked, removing the oldest from the host', async () => {
    for (let index = 0; index < 2; index += 1) {
      await lab.labs.saveEtcdSnapshot(LAB, { keep: 2 });
      expect((await lab.settled(LAB)).status).toBe('ready');
    }
    const names = (await lab.labs.etcdSnapshots(LAB)).snapshots.map((snapshot) => snapshot.name);
    expect(names).toHaveLength(2);
    expect(names).not.toContain(saved);
    expect((await lab.onHost(`ls .nestlab/labs/${LAB}/etcd-snapshots`)).split('\n').filter((line) => line.startsWith(saved))).toEqual([]);
  });

  it('refuses a snapshot name the host does not have', async () => {
    await expect(lab.labs.restoreEtcdSnapshot(LAB, 'etcd-20000101-000000')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
