/**
 * External etcd with kubeadm, the upstream way ("Set up a High Availability etcd cluster with
 * kubeadm"): each etcd VM runs a kubelet as etcd's service manager; the etcd CA is made once on
 * the first member (`kubeadm init phase certs etcd-ca`) and copied to the others (over stdin,
 * never logged); each member makes its own server, peer and healthcheck certificates from its
 * kubeadm config and runs etcd as a static pod (`kubeadm init phase etcd local`). The first member
 * then makes the API server's etcd client certificate, which goes to the first control plane with
 * the CA certificate, where ClusterConfiguration.etcd.external points at the members.
 */
import type { LabMachine } from '../../shared/contract/labs';
import { ETCD_CA_CERT, ETCD_CLIENT_CERT, ETCD_CLIENT_KEY, etcdKubeletDropIn, etcdMemberConfig } from './kubeadm-config';
import { removeVmFiles, vmFileDigest, writeVmFile } from './remote-file';
import type { FileMode } from './remote-file';
import { addressOf, done, skipped } from './step-context';
import type { StepContext, StepOutcome } from './step-context';

const ETCD_CA_KEY = '/etc/kubernetes/pki/etcd/ca.key';
const MEMBER_CONFIG = '/etc/nestlab/etcd.yaml';
const KUBELET_DROP_IN = '/etc/systemd/system/kubelet.service.d/20-etcd-service-manager.conf';

export function etcdMembers(ctx: StepContext): { machine: LabMachine; name: string; address: string }[] {
  return ctx.machines
    .filter((machine) => machine.role === 'etcd')
    .map((machine) => ({ machine, name: machine.name, address: addressOf(ctx, machine) }));
}

async function exists(ctx: StepContext, machine: LabMachine, path: string): Promise<boolean> {
  return (await ctx.observeVm(machine, { argv: ['test', '-f', path] }, { root: true })).exitCode === 0;
}

/** Keys are readable by root only; certificates and the kubelet drop-in by everyone. */
const modeOf = (path: string): FileMode => (path.endsWith('.key') ? '0600' : '0644');

/** Copies a file between two VMs through this computer (its content never on a command line or in a log). */
async function copyBetween(ctx: StepContext, from: LabMachine, to: LabMachine, path: string): Promise<void> {
  const content = await ctx.vm(from, { argv: ['cat', path] }, { root: true, secretOutput: true });
  await writeVmFile(ctx, to, path, ctx.dry ? '' : content.stdout, { label: `<${path} from ${from.name}>`, mode: modeOf(path) });
}

/**
 * Whether `to` has the very file `from` has: compared by SHA-256, so a copy cut short by a
 * dropped connection (or changed since) is made again on resume rather than kept because it exists.
 */
async function sameFile(ctx: StepContext, from: LabMachine, to: LabMachine, path: string): Promise<boolean> {
  const wanted = await vmFileDigest(ctx, from, path);
  return wanted !== undefined && (await vmFileDigest(ctx, to, path)) === wanted;
}

/** The whole external etcd cluster, member by member; each part observes before it acts. */
export async function setUpExternalEtcd(ctx: StepContext, firstControlPlane: LabMachine): Promise<StepOutcome> {
  const members = etcdMembers(ctx);
  const [first] = members;
  if (first === undefined) return skipped('The plan has stacked etcd.');
  if (!(await exists(ctx, first.machine, ETCD_CA_KEY))) {
    await ctx.vm(first.machine, { argv: ['kubeadm', 'init', 'phase', 'certs', 'etcd-ca'] }, { root: true });
  }
  for (const [index, member] of members.entries()) {
    ctx.progress(index / (members.length + 1), `etcd on ${member.name}`);
    // The CA key signs a member's certificates; only the first member keeps it afterwards.
    const dropCaKey = () => (member === first ? Promise.resolve() : removeVmFiles(ctx, member.machine, [ETCD_CA_KEY]));
    if (await exists(ctx, member.machine, `/etc/kubernetes/manifests/etcd.yaml`)) {
      await dropCaKey();
      continue;
    }
    if (!(await exists(ctx, member.machine, KUBELET_DROP_IN))) {
      await writeVmFile(ctx, member.machine, KUBELET_DROP_IN, etcdKubeletDropIn(ctx.plan), {
        label: '<kubelet drop-in for etcd>',
        mode: '0644',
      });
      await ctx.vm(member.machine, { argv: ['systemctl', 'daemon-reload'] }, { root: true });
      await ctx.vm(member.machine, { argv: ['systemctl', 'restart', 'kubelet'] }, { root: true });
    }
    if (member !== first) {
      for (const path of [ETCD_CA_CERT, ETCD_CA_KEY]) await copyBetween(ctx, first.machine, member.machine, path);
    }
    await writeVmFile(ctx, member.machine, MEMBER_CONFIG, etcdMemberConfig(ctx.plan, members, member.name), {
      label: '<etcd.yaml>',
      mode: '0600',
    });
    for (const cert of ['etcd-server', 'etcd-peer', 'etcd-healthcheck-client']) {
      await ctx.vm(member.machine, { argv: ['kubeadm', 'init', 'phase', 'certs', cert, '--config', MEMBER_CONFIG] }, { root: true });
    }
    await ctx.vm(member.machine, { argv: ['kubeadm', 'init', 'phase', 'etcd', 'local', '--config', MEMBER_CONFIG] }, { root: true });
    await dropCaKey();
  }
  ctx.progress(members.length / (members.length + 1), `client certificate for ${firstControlPlane.name}`);
  if (!(await exists(ctx, first.machine, ETCD_CLIENT_KEY))) {
    await ctx.vm(
      first.machine,
      { argv: ['kubeadm', 'init', 'phase', 'certs', 'apiserver-etcd-client', '--config', MEMBER_CONFIG] },
      { root: true },
    );
  }
  for (const path of [ETCD_CA_CERT, ETCD_CLIENT_CERT, ETCD_CLIENT_KEY]) {
    if (!(await sameFile(ctx, first.machine, firstControlPlane, path))) await copyBetween(ctx, first.machine, firstControlPlane, path);
  }
  return done(`${members.length} etcd members`);
}
