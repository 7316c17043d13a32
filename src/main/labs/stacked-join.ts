/**
 * kubeadm joins on slow hosts, where kubeadm 1.20's fixed 2 s etcd calls were what failed on a real
 * host in software emulation:
 * - before a control plane joins a stacked etcd, every member must be started and answer within
 *   those 2 s (kubeadm's check-etcd gave up on the member that had joined just before);
 * - a join that stopped before its kubelet started left certificates and manifests that its
 *   preflight refuses to overwrite: `kubeadm reset` first;
 * - a control plane whose join stopped after kubelet-start has a kubelet.conf but no etcd manifest
 *   (MemberAdd timed out; the member was added anyway and never started, which costs the cluster a
 *   member of its quorum): kubelet.conf alone is no proof of a finished join. A resume removes the
 *   member, resets the machine, deletes its Node and joins it again; when the member cannot be
 *   removed because etcd has lost its quorum, it stops and says so;
 * - a join that failed after its etcd member started (the etcd manifest is there) failed in its last
 *   phases, which call the API through the endpoint with a 10 s client time-out that a cluster whose
 *   etcd has just grown can miss (the fifth real run: update-status): they run again, once every
 *   member answers (they are idempotent).
 */
import type { LabMachine } from '../../shared/contract/labs';
import { kubernetesVersionRules } from '../../shared/kubernetes-versions';
import { AppError } from '../../shared/errors';
import { ensureEtcdctl, etcdClient, etcdClientOf, etcdctl, MANIFESTS, PAUSED, readManifest } from './day2/etcd-cluster';
import { firstControlPlane } from './machines';
import { adminKubectl } from './bootstrap';
import { addressOf } from './step-context';
import type { StepContext } from './step-context';

/** One line of `etcdctl member list -w simple`: "id, started|unstarted, name, peer URLs, client URLs, is learner". */
export interface MemberLine {
  id: string;
  started: boolean;
  name: string;
  peerUrls: string[];
}

export function parseMemberList(simple: string): MemberLine[] {
  return simple
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id = '', status = '', name = '', peers = ''] = line.split(', ').map((field) => field.trim());
      return { id, started: status === 'started', name, peerUrls: peers.split(',').filter((url) => url !== '') };
    });
}

const stackedControlPlane = (ctx: StepContext, machine: LabMachine) =>
  ctx.plan.distribution === 'kubeadm' && ctx.plan.etcd !== 'external' && machine.role === 'control-plane';

/** Whether `machine`, a stacked-etcd kubeadm control plane with a kubelet.conf, lacks the etcd manifest its join writes last. */
export async function joinStoppedHalfWay(ctx: StepContext, machine: LabMachine): Promise<boolean> {
  if (!stackedControlPlane(ctx, machine)) return false;
  for (const dir of [MANIFESTS, PAUSED]) {
    if ((await ctx.observeVm(machine, { argv: ['test', '-f', `${dir}/etcd.yaml`] }, { root: true })).exitCode === 0) return false;
  }
  return true;
}

/** Undoes what a half-way join left: the etcd member that never started, kubeadm's files on the machine, its Node. */
export async function undoHalfJoin(ctx: StepContext, machine: LabMachine): Promise<void> {
  const first = firstControlPlane(ctx.machines);
  const peerUrl = `https://${addressOf(ctx, machine)}:2380`;
  ctx.log(`${machine.name} has a kubelet.conf but no etcd manifest: its control-plane join stopped half-way. Undoing it to join again.`);
  const client = await etcdClient(ctx, first);
  const endpoint = client.endpoints[0] ?? 'https://127.0.0.1:2379';
  const listed = await ctx.vm(
    first,
    { argv: etcdctl(client, endpoint, '--command-timeout=10s', 'member', 'list', '-w', 'simple') },
    { root: true },
  );
  const member = parseMemberList(listed.stdout).find((line) => line.peerUrls.includes(peerUrl));
  if (member !== undefined) {
    const removed = await ctx.observeVm(
      first,
      { argv: etcdctl(client, endpoint, '--command-timeout=30s', 'member', 'remove', member.id) },
      { root: true, timeoutMs: 60_000 },
    );
    if (removed.exitCode !== 0) {
      throw new AppError(
        'PROGRAM_FAILED',
        `etcd on ${first.name} cannot remove the member ${machine.name}'s join added (${member.id}, ${peerUrl}, ${member.started ? 'started' : 'never started'}): ${removed.stderr.trim() || removed.stdout.trim()}`,
        {
          machine: machine.name,
          fix:
            `etcd has most likely lost its quorum: it counts that member, which never ran. Restore the lab from an etcd snapshot, ` +
            `or delete the lab and create it again; on a slow host (software emulation), join control planes when the host is otherwise idle.`,
        },
      );
    }
    ctx.log(`Removed etcd member ${member.id} (${peerUrl}) from the cluster.`);
  }
  await ctx.vm(machine, { argv: ['kubeadm', 'reset', '-f'] }, { root: true, timeoutMs: 300_000 });
  await ctx.vm(first, { argv: adminKubectl('delete', 'node', machine.name, '--ignore-not-found') }, { root: true, timeoutMs: 120_000 });
}

/** What a kubeadm join leaves before its kubelet starts (a control plane's certificates and manifests, a worker's CA). */
const EARLY_JOIN_FILES = ['/etc/kubernetes/pki/ca.crt', `${MANIFESTS}/kube-apiserver.yaml`, '/etc/kubernetes/bootstrap-kubelet.conf'];

/** `kubeadm reset` on a machine (without kubelet.conf) where an earlier join stopped early: its preflight refuses to write over those files. */
export async function clearEarlyJoin(ctx: StepContext, machine: LabMachine): Promise<void> {
  if (ctx.plan.distribution !== 'kubeadm' || ctx.dry) return;
  for (const path of EARLY_JOIN_FILES) {
    if ((await ctx.observeVm(machine, { argv: ['test', '-e', path] }, { root: true })).exitCode !== 0) continue;
    ctx.log(`${machine.name} has ${path} from a join that stopped before its kubelet started: kubeadm reset first.`);
    await ctx.vm(machine, { argv: ['kubeadm', 'reset', '-f'] }, { root: true, timeoutMs: 300_000 });
    return;
  }
}

/** Whether etcdctl is on `first` (installed from the distribution when the lab has a route out). */
async function etcdctlOn(ctx: StepContext, first: LabMachine): Promise<boolean> {
  try {
    await ensureEtcdctl(ctx, first);
    return true;
  } catch (error) {
    if (error instanceof AppError && error.code === 'PROGRAM_MISSING') return false;
    throw error;
  }
}

/** kubeadm gives each etcd call 2 s; checked this many times in a row, so a member that only just came up is given time. */
const HEALTHY_IN_A_ROW = 3;

/**
 * Before a control plane joins a stacked etcd: waits until every member is started and the whole
 * cluster answers `endpoint health` within 2 s, several times in a row. Without etcdctl or the API
 * server's manifest on the first control plane the join goes on at once, and the log says so.
 */
export async function waitForEtcdMembers(ctx: StepContext, machine: LabMachine): Promise<void> {
  if (!stackedControlPlane(ctx, machine)) return;
  const first = firstControlPlane(ctx.machines);
  if (!(await etcdctlOn(ctx, first))) {
    ctx.log(`etcdctl is not on ${first.name}: ${machine.name} joins without first checking that every etcd member answers.`);
    return;
  }
  const manifest = await readManifest(ctx, first, 'kube-apiserver');
  if (manifest === undefined) {
    ctx.log(`${first.name} has no kube-apiserver manifest to read etcd's address from: ${machine.name} joins without first checking etcd.`);
    return;
  }
  const client = etcdClientOf(manifest, first.name);
  const endpoint = client.endpoints[0] ?? 'https://127.0.0.1:2379';
  ctx.progress(0.05, 'waiting for every etcd member to answer');
  await ctx.waitFor(
    `every etcd member to be started and answer within 2 s before ${machine.name} joins`,
    async () => {
      const listed = await ctx.observeVm(
        first,
        { argv: etcdctl(client, endpoint, '--command-timeout=5s', 'member', 'list', '-w', 'simple') },
        { root: true },
      );
      const members = parseMemberList(listed.stdout);
      if (listed.exitCode !== 0 || members.length === 0 || members.some((member) => !member.started)) return undefined;
      for (let check = 0; check < HEALTHY_IN_A_ROW; check++) {
        const health = await ctx.observeVm(
          first,
          { argv: etcdctl(client, endpoint, '--command-timeout=2s', 'endpoint', 'health', '--cluster') },
          { root: true },
        );
        if (health.exitCode !== 0) return undefined;
      }
      return true;
    },
    { timeoutMs: 15 * 60_000, intervalMs: 5_000, placeholder: true },
  );
  ctx.progress(0.1, 'every etcd member answers');
}

/** Whether a stacked-etcd control plane's join got as far as starting its etcd member (kubeadm wrote the manifest). */
export async function etcdMemberWritten(ctx: StepContext, machine: LabMachine): Promise<boolean> {
  return stackedControlPlane(ctx, machine) && !(await joinStoppedHalfWay(ctx, machine));
}

/**
 * kubeadm's control-plane-join phases after etcd, run again with the join's configuration:
 * update-status (the ClusterStatus of the v1beta2 configuration, which later kubeadm releases do
 * without) and mark-control-plane (the node's label and taint).
 */
export async function finishControlPlaneJoin(ctx: StepContext, machine: LabMachine, config: string): Promise<void> {
  await waitForEtcdMembers(ctx, machine);
  const clusterStatus = kubernetesVersionRules(ctx.plan.kubernetesVersion)?.kubeadmConfigApi === 'kubeadm.k8s.io/v1beta2';
  for (const phase of [...(clusterStatus ? ['update-status'] : []), 'mark-control-plane']) {
    await ctx.vm(
      machine,
      { argv: ['kubeadm', 'join', 'phase', 'control-plane-join', phase, '--config', config] },
      { root: true, timeoutMs: 300_000 },
    );
  }
}
