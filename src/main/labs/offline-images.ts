/**
 * Images of a kubeadm lab that installs from an offline bundle. Nothing can be pulled there, and
 * kubeadm's preflight pulls every image its configuration lists (CoreDNS too) and stops at the
 * first it cannot get, with a registry error. Before `kubeadm init`, Nestlab lists what containerd
 * lacks: a missing control-plane image is the bundle's fault and is said so; a missing CoreDNS
 * image only keeps cluster DNS from running, so init goes on without pulling and the log says so.
 */
import type { LabMachine } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import type { StepContext } from './step-context';

/**
 * Prints each image `kubeadm config images list <args>` names that is not in containerd's k8s.io
 * namespace (where the bundle's images/ are imported and the kubelet looks).
 */
export const MISSING_IMAGES =
  'set -e; have=$(ctr -n k8s.io images ls -q); images=$(kubeadm config images list "$@"); ' +
  'for image in $images; do printf "%s\\n" "$have" | grep -qxF -- "$image" || printf "%s\\n" "$image"; done';

/** kubeadm's DNS add-on image (k8s.gcr.io/coredns:1.7.0, registry.k8s.io/coredns/coredns:v1.11.1). */
export function isDnsImage(image: string): boolean {
  return /\/coredns(\/coredns)?:[^/]+$/.test(image);
}

/**
 * The flags `kubeadm init` (or `kubeadm join` of a control plane, whose preflight pulls the same
 * images) needs for the bundle's images: none online, with a registry mirror or when everything is
 * there; --ignore-preflight-errors=ImagePull when only CoreDNS is missing. Throws NOT_FOUND naming
 * every other missing image. `listArgs` say which images kubeadm runs: the init configuration, or
 * the plan's version for a join (an offline lab uses kubeadm's default image repository).
 */
export async function offlineImageFlags(
  ctx: StepContext,
  machine: LabMachine,
  command: 'kubeadm init' | 'kubeadm join',
  listArgs: readonly string[],
): Promise<string[]> {
  const { plan } = ctx;
  if (plan.offlineBundle === undefined || (plan.registryMirror !== undefined && plan.registryMirror !== '')) return [];
  const listed = await ctx.observeVm(machine, { argv: ['sh', '-c', MISSING_IMAGES, 'missing-images', ...listArgs] }, { root: true });
  // A dry run, or kubeadm could not list them: its own preflight then says what is wrong.
  if (listed.exitCode !== 0) return [];
  const missing = listed.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const required = missing.filter((image) => !isDnsImage(image));
  if (required.length > 0) {
    throw new AppError(
      'NOT_FOUND',
      `The offline bundle has no ${required.join(', ')}, which ${command} runs on ${machine.name}; nothing can be pulled without a registry.`,
      {
        fix: `Add ${required.length === 1 ? 'this image' : 'these images'} to the bundle's images/ folder (archives made by ctr images export or docker save), then delete the lab and create it again (the bundle is installed once per machine).`,
      },
    );
  }
  if (missing.length === 0) return [];
  ctx.log(
    `The offline bundle has no ${missing.join(', ')}: ${command} goes on without pulling it, and the CoreDNS pods stay Pending (no cluster DNS) until the image is imported on the nodes (ctr -n k8s.io images import).`,
  );
  return ['--ignore-preflight-errors=ImagePull'];
}
