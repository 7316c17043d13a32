import { describe, expect, it } from 'vitest';
import type { LabMachine, LabPlan } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import type { ExecResult } from '../hosts/ssh-connection';
import { joinLinux } from './bootstrap';
import { parseMemberList } from './half-join';
import type { StepContext, VmCommand } from './step-context';
import { testPlan } from './test-plans';

const KUBELET_CONF = '/etc/kubernetes/kubelet.conf';
const ETCD_MANIFEST = '/etc/kubernetes/manifests/etcd.yaml';
const APISERVER_MANIFEST = `    - --etcd-servers=https://127.0.0.1:2379
    - --etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt
    - --etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt
    - --etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key
`;
const machines: LabMachine[] = [
  { name: 'ha-cp1', os: 'linux', role: 'control-plane', address: '192.168.150.101' },
  { name: 'ha-cp2', os: 'linux', role: 'control-plane', address: '192.168.150.102' },
  { name: 'ha-cp3', os: 'linux', role: 'control-plane', address: '192.168.150.103' },
  { name: 'ha-linux1', os: 'linux', role: 'worker', address: '192.168.150.104' },
] as LabMachine[];
const byName = (name: string) => machines.find((machine) => machine.name === name) as LabMachine;

/**
 * Three lab machines as kubeadm and etcdctl would leave them, for joinLinux's commands: files per
 * machine, etcd's member list on the first control plane, and whether etcd can commit a member
 * removal (it cannot without its quorum). Every command is recorded as "machine: argv".
 */
function lab(options: { files: Record<string, string[]>; members: string; quorum: boolean; plan?: Partial<LabPlan> }) {
  const files = new Map(Object.entries(options.files).map(([name, paths]) => [name, new Set(paths)]));
  const ran: string[] = [];
  const answer = (machine: LabMachine, command: VmCommand): ExecResult => {
    if (!('argv' in command)) throw new Error('a Linux command was expected');
    const argv = command.argv;
    const line = argv.join(' ');
    ran.push(`${machine.name}: ${line}`);
    const mine = files.get(machine.name) ?? new Set<string>();
    const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
    if (argv[0] === 'test') return { exitCode: mine.has(argv[2] ?? '') ? 0 : 1, stdout: '', stderr: '' };
    if (argv[0] === 'cat')
      return argv[2]?.endsWith('kube-apiserver.yaml') ? ok(APISERVER_MANIFEST) : { exitCode: 1, stdout: '', stderr: 'No such file' };
    if (line.includes('member list')) return ok(options.members);
    if (line.includes('member remove'))
      return options.quorum ? ok('Member removed') : { exitCode: 1, stdout: '', stderr: 'etcdserver: unhealthy cluster' };
    if (line === 'kubeadm reset -f') {
      mine.delete(KUBELET_CONF);
      return ok();
    }
    if (line.startsWith('kubeadm token create'))
      return ok('kubeadm join lab:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:00ff');
    if (line.startsWith('kubeadm init phase upload-certs')) return ok(`[upload-certs] Using certificate key:\n${'ab'.repeat(32)}\n`);
    if (line.startsWith('kubeadm join')) {
      mine.add(KUBELET_CONF).add(ETCD_MANIFEST);
      files.set(machine.name, mine);
      return ok();
    }
    return ok();
  };
  const ctx = {
    dry: false,
    plan: testPlan({ controlPlaneCount: 3, windowsWorkers: 0, linuxWorkers: 1, ...options.plan }),
    machines,
    shared: new Map<string, string>(),
    log: () => undefined,
    progress: () => undefined,
    observeVm: (machine: LabMachine, command: VmCommand) => Promise.resolve(answer(machine, command)),
    vm: (machine: LabMachine, command: VmCommand) => {
      const result = answer(machine, command);
      return result.exitCode === 0 ? Promise.resolve(result) : Promise.reject(new AppError('PROGRAM_FAILED', result.stderr));
    },
  } as unknown as StepContext;
  /** The commands that change something (observations left out), in order. */
  const actions = () =>
    ran
      .filter((line) => !/: (test -f|cat --|sh -c command -v etcdctl|etcdctl .* member list)/.test(line))
      .map((line) => line.replace(/ --(cacert|cert|key) \S+/g, ''));
  return { ctx, ran, actions };
}

/** kubeadm 1.20's etcd after ha-cp3's MemberAdd timed out: the member was added, never started. */
const CP3_ADDED_NEVER_STARTED = [
  '8e9e05c52164694d, started, ha-cp1, https://192.168.150.101:2380, https://192.168.150.101:2379, false',
  '91bc3c398fb3c146, started, ha-cp2, https://192.168.150.102:2380, https://192.168.150.102:2379, false',
  'fd422379fda50e48, unstarted, , https://192.168.150.103:2380, , false',
  '',
].join('\n');

describe("a control plane's join that stopped half-way (kubeadm, stacked etcd)", () => {
  it('reads etcdctl member list -w simple, started and never-started members', () => {
    expect(parseMemberList(CP3_ADDED_NEVER_STARTED)).toEqual([
      { id: '8e9e05c52164694d', started: true, name: 'ha-cp1', peerUrls: ['https://192.168.150.101:2380'] },
      { id: '91bc3c398fb3c146', started: true, name: 'ha-cp2', peerUrls: ['https://192.168.150.102:2380'] },
      { id: 'fd422379fda50e48', started: false, name: '', peerUrls: ['https://192.168.150.103:2380'] },
    ]);
  });

  it('is not taken for a finished join: the member that never started is removed, kubeadm reset, the Node deleted, then the join runs again', async () => {
    const { ctx, actions } = lab({ files: { 'ha-cp3': [KUBELET_CONF] }, members: CP3_ADDED_NEVER_STARTED, quorum: true });
    expect(await joinLinux(ctx, byName('ha-cp3'))).toEqual({ status: 'done' });
    const done = actions();
    expect(done.slice(0, 3)).toEqual([
      'ha-cp1: etcdctl --endpoints https://127.0.0.1:2379 --command-timeout=30s member remove fd422379fda50e48',
      'ha-cp3: kubeadm reset -f',
      'ha-cp1: kubectl --kubeconfig /etc/kubernetes/admin.conf delete node ha-cp3 --ignore-not-found',
    ]);
    expect(done.filter((line) => line.includes('kubeadm join'))).toEqual(['ha-cp3: kubeadm join --config /etc/nestlab/join.yaml']);
  });

  it('joins again without removing anything when the join stopped before its member was added', async () => {
    const twoMembers = CP3_ADDED_NEVER_STARTED.split('\n').slice(0, 2).join('\n');
    const { ctx, actions } = lab({ files: { 'ha-cp3': [KUBELET_CONF] }, members: twoMembers, quorum: true });
    expect(await joinLinux(ctx, byName('ha-cp3'))).toEqual({ status: 'done' });
    expect(actions().some((line) => line.includes('member remove'))).toBe(false);
    expect(actions()[0]).toBe('ha-cp3: kubeadm reset -f');
  });

  it('stops with the reason when etcd has lost its quorum (the second member never started), and resets nothing', async () => {
    const lostQuorum = [
      '8e9e05c52164694d, started, ha-cp1, https://192.168.150.101:2380, https://192.168.150.101:2379, false',
      '91bc3c398fb3c146, unstarted, , https://192.168.150.102:2380, , false',
    ].join('\n');
    const { ctx, actions } = lab({ files: { 'ha-cp2': [KUBELET_CONF] }, members: lostQuorum, quorum: false });
    const error = await joinLinux(ctx, byName('ha-cp2')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toMatch(
      /cannot remove the member ha-cp2's join added \(91bc3c398fb3c146, https:\/\/192\.168\.150\.102:2380, never started\): etcdserver: unhealthy cluster/,
    );
    expect(JSON.stringify((error as AppError).details)).toMatch(/lost its quorum.*Restore the lab from an etcd snapshot/);
    expect(actions().filter((line) => !line.includes('member remove'))).toEqual([]);
  });

  it('takes kubelet.conf with the etcd manifest for a finished join, and kubelet.conf alone for workers and external etcd', async () => {
    const finished = lab({ files: { 'ha-cp2': [KUBELET_CONF, ETCD_MANIFEST] }, members: '', quorum: true });
    expect(await joinLinux(finished.ctx, byName('ha-cp2'))).toEqual({ status: 'skipped', detail: 'ha-cp2 is already a member.' });
    expect(finished.actions()).toEqual([]);
    const worker = lab({ files: { 'ha-linux1': [KUBELET_CONF] }, members: '', quorum: true });
    expect((await joinLinux(worker.ctx, byName('ha-linux1'))).status).toBe('skipped');
    const external = lab({ files: { 'ha-cp2': [KUBELET_CONF] }, members: '', quorum: true, plan: { etcd: 'external' } });
    expect((await joinLinux(external.ctx, byName('ha-cp2'))).status).toBe('skipped');
    expect([...worker.actions(), ...external.actions()]).toEqual([]);
  });
});
