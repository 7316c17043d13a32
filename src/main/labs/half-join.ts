/**
 * A kubeadm control plane whose join stopped half-way (stacked etcd). kubeadm's kubelet-start
 * phase had written kubelet.conf, but its control-plane-join phase never wrote etcd's static pod
 * manifest: on a real host in software emulation, kubeadm 1.20's fixed 2 s etcd MemberAdd timed
 * out, the member was added anyway and never started. kubelet.conf alone is then no proof of a
 * finished join, and that member costs the cluster a member of its quorum. A resume puts the
 * machine back to before its join (the member removed, `kubeadm reset`, the Node deleted) and
 * joins it again; when the member cannot be removed because etcd has lost its quorum, it stops and
 * says so.
 */
import type { LabMachine } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import { etcdClient, etcdctl, MANIFESTS, PAUSED } from './day2/etcd-cluster';
import { firstControlPlane } from './machines';
import { addressOf } from './step-context';
import type { StepContext } from './step-context';

const ADMIN_CONF = '/etc/kubernetes/admin.conf';

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

/** Whether `machine`, a stacked-etcd kubeadm control plane with a kubelet.conf, lacks the etcd manifest its join writes last. */
export async function joinStoppedHalfWay(ctx: StepContext, machine: LabMachine): Promise<boolean> {
  if (ctx.plan.distribution !== 'kubeadm' || ctx.plan.etcd === 'external' || machine.role !== 'control-plane') return false;
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
  await ctx.vm(
    first,
    { argv: ['kubectl', '--kubeconfig', ADMIN_CONF, 'delete', 'node', machine.name, '--ignore-not-found'] },
    { root: true, timeoutMs: 120_000 },
  );
}
