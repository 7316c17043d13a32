/**
 * LoadBalancer Services in kubeadm labs: MetalLB in L2 mode, handing out the plan's LoadBalancer
 * range (a slice of the lab network outside the DHCP pool and the API endpoint address). MetalLB's
 * own manifest is applied from the offline bundle's manifests/ folder or the upstream URL of a
 * pinned release; its images (quay.io/metallb/controller and speaker) come from the bundle's
 * images/ or through the registry mirror, like every other image of the lab. k3s labs keep k3s'
 * own service load balancer (servicelb), so they get no MetalLB.
 */
import { stringify } from 'yaml';
import type { LabPlan } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import { firstControlPlane } from './machines';
import { contains, parseIpv4Cidr, parseRange } from './network-allocation';
import { ipv4ToNumber } from '../../shared/ipv4';
import { done, skipped } from './step-context';
import type { StepContext, StepOutcome } from './step-context';

export const METALLB_VERSION = 'v0.14.9';
export const METALLB_NAMESPACE = 'metallb-system';
const ADMIN_CONF = '/etc/kubernetes/admin.conf';
const kubectl = (...args: string[]) => ['kubectl', '--kubeconfig', ADMIN_CONF, ...args];

/** The images MetalLB's manifest runs: what an offline bundle's images/ must hold. */
export const METALLB_IMAGES = [`quay.io/metallb/controller:${METALLB_VERSION}`, `quay.io/metallb/speaker:${METALLB_VERSION}`] as const;

/** MetalLB's native manifest (CRDs, controller, speaker, webhook): the bundle's copy, or the pinned release upstream. */
export function metallbManifest(plan: LabPlan): string {
  return plan.offlineBundle === undefined
    ? `https://raw.githubusercontent.com/metallb/metallb/${METALLB_VERSION}/config/manifests/metallb-native.yaml`
    : '/opt/nestlab/bundle/manifests/metallb-native.yaml';
}

/** MetalLB runs in kubeadm labs on Nestlab's VMs (existing machines have no lab network to take addresses from). */
export function labUsesMetallb(plan: LabPlan): boolean {
  return plan.distribution === 'kubeadm' && plan.driver !== 'existing';
}

/** The plan's LoadBalancer range as MetalLB writes an address range. */
export function loadBalancerRange(plan: LabPlan): string {
  return `${plan.network.loadBalancerStart}-${plan.network.loadBalancerEnd}`;
}

/**
 * The IPAddressPool and L2Advertisement for the plan's LoadBalancer range.
 * @throws AppError INVALID_ARGUMENT when the range is not inside the lab network, or touches the
 *   DHCP pool or the API endpoint address (validation refuses such plans first; this is the last guard).
 */
export function metallbResources(plan: LabPlan): string {
  const problem = rangeProblem(plan);
  if (problem !== undefined) throw new AppError('INVALID_ARGUMENT', problem, { field: 'network.loadBalancerStart' });
  const pool = `${plan.name}-lb`;
  const addressPool = {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'IPAddressPool',
    metadata: { name: pool, namespace: METALLB_NAMESPACE },
    spec: { addresses: [loadBalancerRange(plan)], autoAssign: true },
  };
  const advertisement = {
    apiVersion: 'metallb.io/v1beta1',
    kind: 'L2Advertisement',
    metadata: { name: `${plan.name}-l2`, namespace: METALLB_NAMESPACE },
    spec: { ipAddressPools: [pool] },
  };
  return `${stringify(addressPool)}---\n${stringify(advertisement)}`;
}

function rangeProblem(plan: LabPlan): string | undefined {
  const network = parseIpv4Cidr(plan.network.cidr);
  const range = parseRange(loadBalancerRange(plan));
  const pool = parseRange(`${plan.network.poolStart}-${plan.network.poolEnd}`);
  const endpoint = ipv4ToNumber(plan.apiEndpoint.address);
  if (network === undefined || range === undefined) return `The LoadBalancer range ${loadBalancerRange(plan)} is not a range of addresses.`;
  if (!contains({ first: network.first + 2, last: network.last - 1 }, range)) {
    return `The LoadBalancer range ${loadBalancerRange(plan)} is not inside the lab network ${plan.network.cidr}.`;
  }
  if (pool !== undefined && range.first <= pool.last && pool.first <= range.last) {
    return `The LoadBalancer range ${loadBalancerRange(plan)} overlaps the DHCP pool ${plan.network.poolStart}-${plan.network.poolEnd}.`;
  }
  if (endpoint !== undefined && endpoint >= range.first && endpoint <= range.last) {
    return `The LoadBalancer range ${loadBalancerRange(plan)} contains the API endpoint address ${plan.apiEndpoint.address}.`;
  }
  return undefined;
}

/**
 * Install MetalLB on the first control plane after the CNI: the manifest, a wait for its
 * controller (its admission webhook refuses pools until it runs), then the pool and the L2
 * advertisement. A marker ConfigMap makes a resume skip what went in.
 */
export async function applyMetallb(ctx: StepContext): Promise<StepOutcome> {
  const { plan } = ctx;
  if (!labUsesMetallb(plan)) return skipped('k3s brings its own service load balancer (servicelb).');
  const first = firstControlPlane(ctx.machines);
  const marker = 'nestlab-metallb';
  const observed = await ctx.observeVm(first, { argv: kubectl('get', 'configmap', '-n', 'kube-system', marker) }, { root: true });
  if (observed.exitCode === 0) return skipped(`MetalLB hands out ${loadBalancerRange(plan)}.`);
  // An offline bundle without MetalLB (a lab that needs no LoadBalancer address): the rest of the
  // lab comes up, and the log says what LoadBalancer Services do without it.
  const manifest = metallbManifest(plan);
  if (plan.offlineBundle !== undefined && (await ctx.observeVm(first, { argv: ['test', '-f', manifest] })).exitCode !== 0 && !ctx.dry) {
    ctx.log(
      `The offline bundle has no manifests/metallb-native.yaml, so MetalLB is not installed: LoadBalancer Services of this lab stay Pending (no external address). For MetalLB, put its ${METALLB_VERSION} metallb-native.yaml into manifests/ and ${METALLB_IMAGES.join(' and ')} into images/ of the bundle.`,
    );
    return skipped('The offline bundle has no MetalLB: LoadBalancer Services stay Pending (see the log).');
  }
  const resources = metallbResources(plan);
  ctx.progress(0.1, `MetalLB ${METALLB_VERSION}`);
  await ctx.vm(first, { argv: kubectl('apply', '-f', manifest) }, { root: true, timeoutMs: 180_000 });
  ctx.progress(0.4, 'waiting for the MetalLB controller');
  await ctx.vm(
    first,
    {
      argv: kubectl('wait', '-n', METALLB_NAMESPACE, '--for=condition=Available', 'deployment/controller', '--timeout=600s'),
    },
    { root: true, timeoutMs: 660_000 },
  );
  ctx.progress(0.8, `address pool ${loadBalancerRange(plan)}`);
  await ctx.vm(
    first,
    { argv: kubectl('apply', '-f', '-') },
    {
      root: true,
      stdin: resources,
      stdinLabel: `<MetalLB IPAddressPool ${loadBalancerRange(plan)} and L2Advertisement>`,
      timeoutMs: 180_000,
    },
  );
  await ctx.vm(
    first,
    { argv: kubectl('create', 'configmap', '-n', 'kube-system', marker, `--from-literal=addresses=${loadBalancerRange(plan)}`) },
    { root: true },
  );
  return done();
}
