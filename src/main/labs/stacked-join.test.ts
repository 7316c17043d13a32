import { describe, expect, it } from 'vitest';
import type { LabMachine, LabPlan } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import type { ExecResult } from '../hosts/ssh-connection';
import { joinLinux } from './bootstrap';
import { parseMemberList } from './stacked-join';
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
 * Lab machines as kubeadm and etcdctl would leave them, for joinLinux's commands: files per
 * machine, etcd's member list on the first control plane (a removal takes a line out, a control
 * plane's join adds a started one), whether etcd can commit a removal (not without its quorum),
 * how many `endpoint health` calls fail before the cluster answers, and whether etcdctl is
 * installed. Every command is recorded as "machine: argv".
 */
function lab(options: {
  files: Record<string, string[]>;
  members: string;
  quorum: boolean;
  plan?: Partial<LabPlan>;
  unhealthyChecks?: number;
  etcdctl?: boolean;
  /** kubeadm join fails: in control-plane-join/update-status (its member started) or at MemberAdd (the member never started). */
  joinFails?: 'update-status' | 'member-add';
}) {
  const files = new Map(Object.entries(options.files).map(([name, paths]) => [name, new Set(paths)]));
  const members = options.members.split('\n').filter((line) => line !== '');
  let unhealthy = options.unhealthyChecks ?? 0;
  const ran: string[] = [];
  const logged: string[] = [];
  const answer = (machine: LabMachine, command: VmCommand): ExecResult => {
    if (!('argv' in command)) throw new Error('a Linux command was expected');
    const argv = command.argv;
    const line = argv.join(' ');
    ran.push(`${machine.name}: ${line}`);
    const mine = files.get(machine.name) ?? new Set<string>();
    files.set(machine.name, mine);
    const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
    const failed = (stderr: string): ExecResult => ({ exitCode: 1, stdout: '', stderr });
    if (argv[0] === 'test') return mine.has(argv[2] ?? '') ? ok() : failed('');
    if (line === 'sh -c command -v etcdctl') return options.etcdctl === false ? failed('') : ok('/usr/bin/etcdctl');
    if (argv[0] === 'cat') return argv[2]?.endsWith('kube-apiserver.yaml') ? ok(APISERVER_MANIFEST) : failed('No such file');
    if (line.includes('member list')) return ok(`${members.join('\n')}\n`);
    if (line.includes('member remove')) {
      if (!options.quorum) return failed('etcdserver: unhealthy cluster');
      members.splice(
        members.findIndex((member) => member.startsWith(`${argv.at(-1)}, `)),
        1,
      );
      return ok('Member removed');
    }
    if (line.includes('endpoint health')) return unhealthy-- > 0 ? failed('context deadline exceeded') : ok('is healthy');
    if (line === 'kubeadm reset -f') {
      mine.clear();
      return ok();
    }
    if (line.startsWith('kubeadm token create'))
      return ok('kubeadm join lab:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:00ff');
    if (line.startsWith('kubeadm init phase upload-certs')) return ok(`[upload-certs] Using certificate key:\n${'ab'.repeat(32)}\n`);
    if (line.startsWith('kubeadm join phase')) return ok();
    if (line.startsWith('kubeadm join') && options.joinFails === 'member-add') {
      mine.add(KUBELET_CONF);
      members.push(`0${members.length}, unstarted, , https://${machine.address}:2380, , false`);
      return failed(
        'error execution phase control-plane-join/etcd: error creating local etcd static pod manifest file: context deadline exceeded',
      );
    }
    if (line.startsWith('kubeadm join')) {
      mine.add(KUBELET_CONF);
      if (machine.role === 'control-plane') {
        mine.add(ETCD_MANIFEST);
        members.push(
          `0${members.length}, started, ${machine.name}, https://${machine.address}:2380, https://${machine.address}:2379, false`,
        );
      }
      if (options.joinFails === 'update-status')
        return failed('error execution phase control-plane-join/update-status: error uploading configuration: net/http: request canceled');
      return ok();
    }
    return ok();
  };
  const ctx = {
    dry: false,
    plan: testPlan({ controlPlaneCount: 3, windowsWorkers: 0, linuxWorkers: 1, ...options.plan }),
    machines,
    shared: new Map<string, string>(),
    log: (text: string) => logged.push(text),
    progress: () => undefined,
    observeVm: (machine: LabMachine, command: VmCommand) => Promise.resolve(answer(machine, command)),
    vm: (machine: LabMachine, command: VmCommand) => {
      const result = answer(machine, command);
      return result.exitCode === 0 ? Promise.resolve(result) : Promise.reject(new AppError('PROGRAM_FAILED', result.stderr));
    },
    /** Asks the probe up to 20 times (the engine's waitFor asks on an interval, up to a time limit). */
    waitFor: async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
      for (let asked = 0; asked < 20; asked++) {
        const value = await probe();
        if (value !== undefined) return value;
      }
      throw new AppError('TIMEOUT', `timed out waiting for ${what}`);
    },
  } as unknown as StepContext;
  /** The commands that change something (observations left out), in order. */
  const actions = () =>
    ran
      .filter((line) => !/: (test -[fe]|cat --|sh -c command -v etcdctl|etcdctl .* (member list|endpoint health))/.test(line))
      .map((line) => line.replace(/ --(cacert|cert|key) \S+/g, ''));
  /** Every command, etcdctl's certificate flags left out. */
  const commands = () => ran.map((line) => line.replace(/ --(cacert|cert|key) \S+/g, ''));
  return { ctx, ran, actions, commands, logged, members };
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

  it('waits, before a control plane joins, until every etcd member is started and the cluster answers within 2 s three times in a row', async () => {
    const twoStarted = CP3_ADDED_NEVER_STARTED.split('\n').slice(0, 2).join('\n');
    const { ctx, commands, members } = lab({ files: {}, members: twoStarted, quorum: true, unhealthyChecks: 2 });
    expect(await joinLinux(ctx, byName('ha-cp3'))).toEqual({ status: 'done' });
    const ran = commands();
    const health = ran.filter((line) => line.includes('endpoint health'));
    // Two failures, then three answers in a row; all of them before the join.
    expect(health).toHaveLength(5);
    expect(health[0]).toBe('ha-cp1: etcdctl --endpoints https://127.0.0.1:2379 --command-timeout=2s endpoint health --cluster');
    expect(ran.findIndex((line) => line.includes('kubeadm join'))).toBeGreaterThan(ran.lastIndexOf(health.at(-1)!));
    expect(members.filter((line) => line.includes(', started, '))).toHaveLength(3);
  });

  it('never lets a control plane join while a member has not started; says what it waited for', async () => {
    const { ctx, commands } = lab({ files: {}, members: CP3_ADDED_NEVER_STARTED, quorum: true });
    const fourth = { ...byName('ha-cp3'), name: 'ha-cp4', address: '192.168.150.105' };
    const error = await joinLinux(ctx, fourth).catch((caught: unknown) => caught);
    expect((error as AppError).message).toBe(
      'timed out waiting for every etcd member to be started and answer within 2 s before ha-cp4 joins',
    );
    expect(commands().some((line) => line.includes('kubeadm join'))).toBe(false);
  });

  it('runs kubeadm reset first where an earlier join stopped before its kubelet started (its preflight refuses those files)', async () => {
    const twoStarted = CP3_ADDED_NEVER_STARTED.split('\n').slice(0, 2).join('\n');
    const left = ['/etc/kubernetes/pki/ca.crt', '/etc/kubernetes/manifests/kube-apiserver.yaml'];
    const { ctx, actions, logged } = lab({ files: { 'ha-cp3': left }, members: twoStarted, quorum: true });
    expect(await joinLinux(ctx, byName('ha-cp3'))).toEqual({ status: 'done' });
    expect(actions()[0]).toBe('ha-cp3: kubeadm reset -f');
    expect(logged.join('\n')).toMatch(/ha-cp3 has \/etc\/kubernetes\/pki\/ca\.crt from a join that stopped before its kubelet started/);
    const fresh = lab({ files: {}, members: twoStarted, quorum: true });
    await joinLinux(fresh.ctx, byName('ha-cp3'));
    expect(fresh.actions().some((line) => line.includes('kubeadm reset'))).toBe(false);
  });

  it('joins at once, saying so, when the first control plane has no etcdctl to check etcd with', async () => {
    const { ctx, commands, logged } = lab({
      files: {},
      members: '',
      quorum: true,
      etcdctl: false,
      plan: { offlineBundle: '/home/me/bundle' },
    });
    expect(await joinLinux(ctx, byName('ha-cp2'))).toEqual({ status: 'done' });
    expect(commands().some((line) => line.includes('endpoint health'))).toBe(false);
    expect(logged.join('\n')).toMatch(/etcdctl is not on ha-cp1: ha-cp2 joins without first checking that every etcd member answers/);
  });

  it("runs kubeadm's last phases again when the join failed after its etcd member started (update-status through the endpoint timed out)", async () => {
    const twoStarted = CP3_ADDED_NEVER_STARTED.split('\n').slice(0, 2).join('\n');
    const old = lab({ files: {}, members: twoStarted, quorum: true, joinFails: 'update-status', plan: { kubernetesVersion: '1.20.2' } });
    expect(await joinLinux(old.ctx, byName('ha-cp3'))).toEqual({
      status: 'done',
      detail: "kubeadm join's last phases ran again after its etcd member had started.",
    });
    const after = old.actions().slice(old.actions().findIndex((line) => line.includes('kubeadm join --config')) + 1);
    expect(after).toEqual([
      'ha-cp3: kubeadm join phase control-plane-join update-status --config /etc/nestlab/join.yaml',
      'ha-cp3: kubeadm join phase control-plane-join mark-control-plane --config /etc/nestlab/join.yaml',
      'ha-cp3: rm -f -- /etc/nestlab/join.yaml',
    ]);
    // v1beta3 and later have no ClusterStatus: only the mark.
    const current = lab({
      files: {},
      members: twoStarted,
      quorum: true,
      joinFails: 'update-status',
      plan: { kubernetesVersion: '1.30.8' },
    });
    await joinLinux(current.ctx, byName('ha-cp3'));
    expect(current.actions().filter((line) => line.includes('join phase'))).toEqual([
      'ha-cp3: kubeadm join phase control-plane-join mark-control-plane --config /etc/nestlab/join.yaml',
    ]);
  });

  it('reports the failure of a join whose etcd member never started, and removes the join configuration', async () => {
    const twoStarted = CP3_ADDED_NEVER_STARTED.split('\n').slice(0, 2).join('\n');
    const { ctx, actions } = lab({ files: {}, members: twoStarted, quorum: true, joinFails: 'member-add' });
    const error = await joinLinux(ctx, byName('ha-cp3')).catch((caught: unknown) => caught);
    expect((error as AppError).message).toMatch(/control-plane-join\/etcd/);
    expect(actions().filter((line) => line.includes('join phase'))).toEqual([]);
    expect(actions().at(-1)).toBe('ha-cp3: rm -f -- /etc/nestlab/join.yaml');
  });
});
