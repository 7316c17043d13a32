import { describe, expect, it } from 'vitest';
import type { LabMachine } from '../../../shared/contract/labs';
import { dryRunSteps } from '../engine';
import { LibvirtDriver } from '../libvirt-driver';
import { machinesOf } from '../machines';
import { testPlan } from '../test-plans';
import { beyondRetention, checkedKeys, parseShelf, snapshotName } from './etcd-shelf';
import { etcdClientOf, etcdRestoreSteps, etcdSaveSteps, etcdSnapshotSupport, manifestFlags, memberOf } from './etcd-snapshots';

const apiServer = `spec:
  containers:
  - command:
    - kube-apiserver
    - --etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt
    - --etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt
    - --etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key
    - --etcd-servers=https://10.0.0.11:2379,https://10.0.0.12:2379
`;

const env = (plan = testPlan()) => ({
  driver: new LibvirtDriver(plan, '/var/lib/libvirt/images', 'abcd1234'),
  localDir: '/tmp/none',
  saveLocalCopy: () => Promise.reject(new Error('a dry run copies nothing')),
});

const joined = (plan = testPlan()): LabMachine[] =>
  machinesOf(plan).map((machine, index) => ({ ...machine, state: 'joined', address: `192.0.2.${11 + index}` }));

describe('etcd snapshots', () => {
  it('reads how the API server reaches etcd from its static pod manifest', () => {
    expect(etcdClientOf(apiServer, 'lab1-cp1')).toEqual({
      endpoints: ['https://10.0.0.11:2379', 'https://10.0.0.12:2379'],
      cacert: '/etc/kubernetes/pki/etcd/ca.crt',
      cert: '/etc/kubernetes/pki/apiserver-etcd-client.crt',
      key: '/etc/kubernetes/pki/apiserver-etcd-client.key',
    });
    expect(() => etcdClientOf('spec: {}\n', 'lab1-cp1')).toThrow(/The API server manifest on lab1-cp1 has no --etcd-servers/);
    expect(manifestFlags('    - --name=lab1-cp1\n    - --data-dir=/var/lib/etcd\n').get('data-dir')).toBe('/var/lib/etcd');
    expect(() => memberOf(joined()[0]!, '    - --name=x\n')).toThrow(/The etcd manifest on lab1-cp1 has no --name, --data-dir/);
  });

  it('explains why k3s with one server (SQLite) and labs without a Linux host have no etcd snapshots', () => {
    const sqlite = etcdSnapshotSupport(testPlan({ distribution: 'k3s', controlPlaneCount: 1 }));
    expect(sqlite.supported).toBe(false);
    if (!sqlite.supported) expect(sqlite.reason).toMatch(/SQLite \(kine\), not in etcd: there is no etcd to snapshot/);
    expect(etcdSnapshotSupport(testPlan({ distribution: 'k3s', controlPlaneCount: 3 })).supported).toBe(true);
    expect(etcdSnapshotSupport(testPlan({ driver: 'hyperv' })).supported).toBe(false);
    expect(etcdSnapshotSupport(testPlan()).supported).toBe(true);
  });

  it('names snapshots by UTC second and keeps the newest', () => {
    expect(snapshotName(new Date('2026-12-02T10:45:03.120Z'))).toBe('etcd-20261202-104503');
    expect(beyondRetention(['etcd-20261202-104503', 'etcd-20261201-090000', 'etcd-20261203-000000'], 2)).toEqual(['etcd-20261201-090000']);
    expect(beyondRetention(['etcd-20261202-104503'], 5)).toEqual([]);
    // A status cut short or a foreign name is not listed.
    const line = JSON.stringify({ name: 'etcd-20261202-104503', sizeBytes: 10 });
    expect(parseShelf(`${line}\n{"name":"etcd-2026\n${JSON.stringify({ name: '../x', sizeBytes: 1 })}\n`).map((s) => s.name)).toEqual([
      'etcd-20261202-104503',
    ]);
    expect(
      checkedKeys([
        '/registry/pods/a/b',
        '/registry/events/a/b',
        '/registry/masterleases/10.0.0.1',
        '/registry/k3s.cattle.io/etcdsnapshotfiles/local-etcd-snapshot-lab1-cp2-1790000000-0a1b2c',
        '/registry/secrets/kube-system/lab1-cp1.node-password.k3s',
        '/registry/secrets/kube-system/db-password',
      ]),
    ).toEqual(['/registry/pods/a/b', '/registry/secrets/kube-system/db-password']);
  });

  it('saves with etcdctl and the API server certificate on the first control plane, and with k3s etcd-snapshot on k3s (dry run)', async () => {
    const plan = testPlan();
    const machines = joined(plan);
    const request = { snapshot: 'etcd-20261202-104503', keep: 3 };
    const steps = await dryRunSteps(plan, machines, '/var/lib/libvirt/images', etcdSaveSteps(plan, machines, request, env(plan)));
    const commands = steps.flatMap((step) => step.commands.map((command) => command.display));
    expect(commands.some((command) => command.includes("'snapshot' 'save' '/var/lib/nestlab/etcd-snapshot.db'"))).toBe(true);
    expect(commands.some((command) => command.includes("'--cert' '<cert>' '--key' '<key>'"))).toBe(true);
    expect(
      commands.some((command) => command.includes("'etcdctl' 'snapshot' 'status' '/var/lib/nestlab/etcd-snapshot.db' '-w' 'json'")),
    ).toBe(true);
    const k3s = testPlan({ distribution: 'k3s', controlPlaneCount: 3 });
    const k3sMachines = joined(k3s);
    const k3sSteps = await dryRunSteps(k3s, k3sMachines, '/var/lib/libvirt/images', etcdSaveSteps(k3s, k3sMachines, request, env(k3s)));
    const k3sCommands = k3sSteps.flatMap((step) => step.commands.map((command) => command.display));
    expect(k3sCommands.some((command) => command.includes("'k3s' 'etcd-snapshot' 'save' '--name' 'nestlab-etcd-20261202-104503'"))).toBe(
      true,
    );
    // Its status and object list: etcdctl with the client certificate k3s writes for itself, on loopback.
    expect(
      k3sCommands.some((command) =>
        command.includes(
          "'etcdctl' '--endpoints' 'https://127.0.0.1:2379' '--cacert' '/var/lib/rancher/k3s/server/tls/etcd/server-ca.crt'",
        ),
      ),
    ).toBe(true);
    expect(
      k3sCommands.some((command) => command.includes("'etcdctl' 'snapshot' 'status' '/var/lib/rancher/k3s/server/db/snapshots/")),
    ).toBe(true);
  });

  it('ends the start of a restore when the API server answers, not when etcd does', async () => {
    const plan = testPlan();
    const machines = joined(plan);
    const steps = await dryRunSteps(
      plan,
      machines,
      '/var/lib/libvirt/images',
      etcdRestoreSteps(plan, machines, { snapshot: 'etcd-20261202-104503' }, env(plan)),
    );
    const start = steps.find((step) => step.id === 'etcd-restore-start')?.commands.map((command) => command.display) ?? [];
    expect(start.at(-1)).toContain("'kubectl' '--kubeconfig' '/etc/kubernetes/admin.conf' 'get' '--raw' '/readyz'");
    expect(start.findIndex((command) => command.includes("'endpoint' 'health'"))).toBeLessThan(start.length - 1);
  });

  it('restores in order: copy to every member, stop, restore each data dir, start, verify', () => {
    const plan = testPlan({ controlPlaneCount: 3 });
    const steps = etcdRestoreSteps(plan, joined(plan), { snapshot: 'etcd-20261202-104503' }, env(plan));
    expect(steps.map((step) => [step.phase, step.id])).toEqual([
      ['prepare', 'etcd-restore-copy:lab1-cp1'],
      ['prepare', 'etcd-restore-copy:lab1-cp2'],
      ['prepare', 'etcd-restore-copy:lab1-cp3'],
      ['cordon', 'etcd-restore-stop'],
      ['etcd', 'etcd-restore:lab1-cp1'],
      ['etcd', 'etcd-restore:lab1-cp2'],
      ['etcd', 'etcd-restore:lab1-cp3'],
      ['bootstrap', 'etcd-restore-start'],
      ['nodes', 'etcd-restore-verify'],
    ]);
    const external = testPlan({ controlPlaneCount: 1, etcd: 'external' });
    const externalSteps = etcdRestoreSteps(external, joined(external), { snapshot: 'etcd-20261202-104503' }, env(external));
    expect(externalSteps.filter((step) => step.id.startsWith('etcd-restore:')).map((step) => step.vm)).toEqual([
      'lab1-etcd1',
      'lab1-etcd2',
      'lab1-etcd3',
    ]);
  });
});
