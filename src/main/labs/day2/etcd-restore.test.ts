import { describe, expect, it } from 'vitest';
import type { LabMachine } from '../../../shared/contract/labs';
import type { ExecResult } from '../../hosts/ssh-connection';
import { LibvirtDriver } from '../libvirt-driver';
import { machinesOf } from '../machines';
import type { StepContext, VmCommand } from '../step-context';
import { testPlan } from '../test-plans';
import { etcdRestoreSteps, restoredCopy } from './etcd-restore';

const SNAPSHOT = 'etcd-20261202-104503';
const plan = testPlan();
const machines: LabMachine[] = machinesOf(plan).map((machine, index) => ({
  ...machine,
  state: 'joined',
  address: `192.0.2.${11 + index}`,
}));
const manifest =
  '    - --name=lab1-cp1\n    - --data-dir=/var/lib/etcd\n    - --initial-advertise-peer-urls=https://192.0.2.11:2380\n    - --advertise-client-urls=https://192.0.2.11:2379\n';

/**
 * A kubeadm control plane's files as state (path -> what it holds), answering the commands the
 * data dir restore runs as coreutils and etcdctl do; `vm` records what acted.
 */
function controlPlane(files: Record<string, string>) {
  const state = new Map(Object.entries(files));
  const acted: string[] = [];
  const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
  const answer = (argv: readonly string[]): ExecResult => {
    const [program, ...args] = argv;
    const last = args.at(-1) ?? '';
    if (program === 'cat') return last === '/etc/kubernetes/manifests/etcd.yaml' ? ok(manifest) : { exitCode: 1, stdout: '', stderr: '' };
    if (program === 'test') return state.has(last) ? ok() : { exitCode: 1, stdout: '', stderr: '' };
    if (program === 'sh') return ok('/usr/bin/etcdctl\n');
    if (program === 'rm' || program === 'touch') {
      if (program === 'rm') state.delete(last);
      else state.set(last, '');
      return ok();
    }
    if (program === 'mv') {
      const [from = '', to = ''] = args.slice(-2);
      state.set(to, state.get(from) ?? '');
      state.delete(from);
      return ok();
    }
    if (program === 'etcdctl') {
      state.set(args[args.indexOf('--data-dir') + 1] ?? '', `restored from ${state.get(args[2] ?? '') ?? '?'}`);
      return ok();
    }
    throw new Error(`the simulated control plane does not know ${argv.join(' ')}`);
  };
  const argvOf = (command: VmCommand) => ('argv' in command ? command.argv : []);
  const ctx = {
    dry: false,
    plan,
    machines,
    log: () => undefined,
    progress: () => undefined,
    observeVm: (_machine: LabMachine, command: VmCommand) => Promise.resolve(answer(argvOf(command))),
    vm: (_machine: LabMachine, command: VmCommand) => {
      acted.push(argvOf(command).join(' '));
      return Promise.resolve(answer(argvOf(command)));
    },
  } as unknown as StepContext;
  return { ctx, state, acted };
}

describe('kubeadm etcd restore of a data dir', () => {
  it('restores a snapshot restored once before: the old data dir that restore kept is not taken for this one (simulated control plane)', async () => {
    const env = {
      driver: new LibvirtDriver(plan, '/var/lib/libvirt/images', 'abcd1234'),
      localDir: '/tmp/none',
      saveLocalCopy: () => Promise.reject(new Error('not here')),
    };
    const restore = etcdRestoreSteps(plan, machines, { snapshot: SNAPSHOT }, env).find((step) => step.id === 'etcd-restore:lab1-cp1');
    if (restore === undefined) throw new Error('no restore step for lab1-cp1');
    const cp = controlPlane({
      '/var/lib/etcd': 'changed since the first restore',
      [`/var/lib/etcd.before-${SNAPSHOT}`]: 'kept by the first restore',
      [restoredCopy(SNAPSHOT)]: 'the snapshot',
    });
    expect(await restore.run(cp.ctx)).toEqual({ status: 'done', detail: `the old data dir is kept as /var/lib/etcd.before-${SNAPSHOT}.2` });
    expect(cp.state.get('/var/lib/etcd')).toBe('restored from the snapshot');
    expect(cp.state.get(`/var/lib/etcd.before-${SNAPSHOT}`)).toBe('kept by the first restore');
    expect(cp.state.get(`/var/lib/etcd.before-${SNAPSHOT}.2`)).toBe('changed since the first restore');
    // Run again (a resume): found done, nothing acts.
    cp.acted.length = 0;
    expect((await restore.run(cp.ctx)).status).toBe('skipped');
    expect(cp.acted).toEqual([]);
  });
});
