/**
 * The network plugin step (kubeadm; k3s brings flannel itself): the upstream manifests and what
 * is generated from the plan's pod range, the Windows manifests applied with their placeholders
 * replaced, or (cni: bundle) the offline bundle's plugins checked on every node.
 */
import { AppError } from '../../shared/errors';
import { ADMIN_CONF, adminKubectl } from './bootstrap';
import { calicoResources, cniManifests, flannelNetConf, windowsCniManifests } from './cni-manifests';
import type { WindowsCniManifest } from './cni-manifests';
import { firstControlPlane } from './machines';
import { OFFLINE_BUNDLE_ADVICE } from './pinned-scripts';
import { done, skipped } from './step-context';
import type { StepContext, StepOutcome } from './step-context';

/**
 * Applies a Windows CNI manifest (a hostProcess DaemonSet that runs as SYSTEM on Windows nodes):
 * fetched from its pinned commit (or read from the offline bundle) into a temporary file, its
 * SHA-256 printed for the lab log and checked where one is pinned, its placeholders replaced as
 * upstream's docs do with sed (a bundle copy that has them replaced already is applied as it is),
 * then `kubectl apply -f -`. $1 = source, $2 = pinned SHA-256 or '', then placeholder and sed
 * expression pairs.
 */
export const WINDOWS_MANIFEST_APPLY =
  'set -e; file=$(mktemp); trap \'rm -f "$file"\' EXIT; src=$1; expected=$2; shift 2; ' +
  'case "$src" in https://*) ' +
  `curl -fsSL --proto =https --retry 3 -o "$file" "$src" || { code=$?; echo "Could not download $src. ${OFFLINE_BUNDLE_ADVICE}" >&2; exit $code; };; ` +
  '*) cat -- "$src" > "$file";; esac; ' +
  'sum=$(sha256sum "$file" | cut -d " " -f 1); echo "$src sha256 $sum"; ' +
  `if [ -n "$expected" ] && [ "$sum" != "$expected" ]; then echo "$src has SHA-256 $sum, not the pinned $expected: it was not applied. ${OFFLINE_BUNDLE_ADVICE}" >&2; exit 1; fi; ` +
  'while [ $# -gt 0 ]; do if grep -qF -- "$1" "$file"; then sed -i -e "$2" "$file"; echo "$src: replaced $1"; ' +
  'else echo "$src has no $1 to replace: applied as it is"; fi; shift 2; done; ' +
  `kubectl --kubeconfig ${ADMIN_CONF} apply -f - < "$file"`;

/** A sed s command (| as the delimiter) that replaces the text `from` with the text `to`. */
export function sedReplace(from: string, to: string): string {
  const pattern = from.replace(/[\\.*[\]^$|]/g, (c) => `\\${c}`);
  const replacement = to.replace(/[\\&|]/g, (c) => `\\${c}`);
  return `s|${pattern}|${replacement}|g`;
}

/** The argv that applies one Windows CNI manifest with WINDOWS_MANIFEST_APPLY. */
function windowsManifestApply(manifest: WindowsCniManifest): string[] {
  const pairs = manifest.substitutions.flatMap(({ placeholder, value }) => [placeholder, sedReplace(placeholder, value)]);
  return ['sh', '-c', WINDOWS_MANIFEST_APPLY, 'windows-cni', manifest.source, manifest.pinned.sha256 ?? '', ...pairs];
}

/**
 * The network plugin of the offline bundle's cni/ (installed on every node with the bundle):
 * nothing is applied to the cluster; each Linux node is checked to have a network configuration
 * where containerd looks, so a node that would stay NotReady is named here.
 */
async function bundleCni(ctx: StepContext): Promise<StepOutcome> {
  const configurations = new Set<string>();
  for (const machine of ctx.machines.filter((candidate) => candidate.os === 'linux' && candidate.role !== 'etcd')) {
    if (machine.address === undefined && !ctx.dry) continue;
    // /etc/cni/net.d may be root's alone (the real-VM tier's guest refused the lab user): list it as root.
    const listed = await ctx.observeVm(machine, { argv: ['ls', '/etc/cni/net.d'] }, { root: true });
    const files = listed.stdout.split('\n').filter((name) => /\.(conf|conflist|json)$/.test(name));
    if (!ctx.dry && (listed.exitCode !== 0 || files.length === 0)) {
      throw new AppError(
        'NOT_FOUND',
        `${machine.name} has no CNI network configuration in /etc/cni/net.d, so its node cannot become Ready.`,
        {
          fix: 'Put a network configuration (a .conflist) into cni/net.d/ of the offline bundle, delete the lab and create it again (the bundle is installed once per machine), or choose Flannel or Calico.',
        },
      );
    }
    for (const file of files) configurations.add(file);
  }
  return done(`the offline bundle's ${[...configurations].join(', ') || 'cni/net.d/'} on every node; nothing to apply`);
}

/**
 * Apply the CNI on the first control plane (kubeadm; k3s brings flannel itself): the upstream
 * manifests, then what is generated from the plan's pod range (cni-manifests.ts). flannel reads its
 * net-conf.json when it starts, so its pods restart after the patch.
 */
export async function applyCni(ctx: StepContext, windows: boolean): Promise<StepOutcome> {
  const { plan } = ctx;
  const first = firstControlPlane(ctx.machines);
  if (plan.distribution === 'k3s' && plan.cni === 'flannel') return skipped('k3s runs flannel itself.');
  if (plan.cni === 'bundle') return bundleCni(ctx);
  const marker = windows ? `nestlab-cni-${plan.cni}-windows` : `nestlab-cni-${plan.cni}`;
  const observed = await ctx.observeVm(first, { argv: adminKubectl('get', 'configmap', '-n', 'kube-system', marker) }, { root: true });
  if (observed.exitCode === 0) return skipped(`${plan.cni} is applied.`);
  for (const manifest of cniManifests(plan)) {
    await ctx.vm(first, { argv: adminKubectl('apply', '-f', manifest) }, { root: true, timeoutMs: 180_000 });
  }
  if (windows) {
    for (const manifest of windowsCniManifests(plan)) {
      await ctx.vm(first, { argv: windowsManifestApply(manifest) }, { root: true, timeoutMs: 180_000 });
    }
  }
  if (plan.cni === 'calico') {
    await ctx.vm(
      first,
      { argv: adminKubectl('apply', '-f', '-') },
      { root: true, stdin: calicoResources(plan, windows), stdinLabel: '<Calico Installation for the pod range>', timeoutMs: 180_000 },
    );
  } else {
    const patch = JSON.stringify({ data: { 'net-conf.json': flannelNetConf(plan, windows) } });
    await ctx.vm(
      first,
      { argv: adminKubectl('patch', 'configmap', '-n', 'kube-flannel', 'kube-flannel-cfg', '--type', 'merge', '-p', patch) },
      { root: true },
    );
    await ctx.vm(first, { argv: adminKubectl('rollout', 'restart', 'daemonset', '-n', 'kube-flannel', 'kube-flannel-ds') }, { root: true });
  }
  // A marker that the manifests went in, so a resume does not apply them again.
  await ctx.vm(
    first,
    { argv: adminKubectl('create', 'configmap', '-n', 'kube-system', marker, `--from-literal=cni=${plan.cni}`) },
    { root: true },
  );
  return done();
}
