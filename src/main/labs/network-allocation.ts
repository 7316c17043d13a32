/**
 * Per-host allocation of a lab's address ranges: the VM network (with its DHCP pool, API endpoint
 * address and LoadBalancer slice), the pod range and the service range. Nothing may overlap the
 * host's own networks (its interfaces and routes, read with `ip -j`), another lab on that host, or
 * another range of the same lab. Pure: the labs service reads the host and the lab store and
 * passes what it found.
 */
import type { LabNetwork, LabPlan, PlanProblem, TakenRange } from '../../shared/contract/labs';
import {
  cidrText,
  contains,
  ipv4ToNumber,
  numberToIpv4,
  overlaps,
  parseIpv4Cidr,
  type Ipv4Range,
  type ParsedCidr,
} from '../../shared/ipv4';
import { networkLayout, slicesOutsidePool } from '../../shared/lab-network-layout';

export { cidrText, contains, overlaps, parseIpv4Cidr, slicesOutsidePool, type Ipv4Range, type ParsedCidr };

/** A CIDR or a first-last range (or a single address) as an interval. */
export function parseRange(text: string): Ipv4Range | undefined {
  if (text.includes('/')) return parseIpv4Cidr(text);
  const [firstText, lastText = firstText] = text.split('-').map((part) => part.trim());
  const first = ipv4ToNumber(firstText ?? '');
  const last = ipv4ToNumber(lastText ?? '');
  if (first === undefined || last === undefined || last < first) return undefined;
  return { first, last };
}

export function rangeText(range: Ipv4Range): string {
  return range.first === range.last ? numberToIpv4(range.first) : `${numberToIpv4(range.first)}-${numberToIpv4(range.last)}`;
}

/** One entry of `ip -j addr` (iproute2's JSON), as far as it is read here. */
interface IpAddrEntry {
  ifname?: string;
  addr_info?: { family?: string; local?: string; prefixlen?: number }[];
}

/** One entry of `ip -j route`. */
interface IpRouteEntry {
  dst?: string;
  dev?: string;
  gateway?: string;
}

function jsonArray(text: string, what: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${what} did not print JSON (iproute2 4.14 or later prints it with -j).`);
  }
  if (!Array.isArray(parsed)) throw new Error(`${what} did not print a JSON list.`);
  return parsed;
}

/**
 * The host's IPv4 networks from `ip -j addr` and `ip -j route`: every interface's network (the
 * lab bridges of running labs included) and every route's destination. The default route says
 * nothing about which addresses are in use, so it is left out; so is loopback.
 */
export function hostNetworksFromIp(addrJson: string, routeJson: string): TakenRange[] {
  const found = new Map<string, TakenRange>();
  const add = (range: ParsedCidr, owner: string, device: string | undefined) => {
    if (range.first >>> 24 === 127) return;
    const key = cidrText(range);
    if (!found.has(key)) found.set(key, { range: key, owner, ...(device === undefined ? {} : { device }) });
  };
  for (const entry of jsonArray(addrJson, '`ip -j addr`') as IpAddrEntry[]) {
    for (const info of entry.addr_info ?? []) {
      if (info.family !== 'inet' || info.local === undefined || info.prefixlen === undefined) continue;
      const range = parseIpv4Cidr(`${info.local}/${info.prefixlen}`);
      if (range !== undefined) add(range, `the host's network on ${entry.ifname ?? 'an interface'}`, entry.ifname);
    }
  }
  for (const entry of jsonArray(routeJson, '`ip -j route`') as IpRouteEntry[]) {
    if (entry.dst === undefined || entry.dst === 'default') continue;
    const range = parseIpv4Cidr(entry.dst.includes('/') ? entry.dst : `${entry.dst}/32`);
    if (range === undefined) continue;
    const via = entry.gateway === undefined ? '' : ` via ${entry.gateway}`;
    add(range, `the host's route to ${cidrText(range)}${via}${entry.dev === undefined ? '' : ` (${entry.dev})`}`, entry.dev);
  }
  return [...found.values()];
}

/** The ranges a lab holds on its host: its VM network (pool, endpoint and LoadBalancer slice are inside), pods and services. */
export function labRanges(plan: LabPlan): TakenRange[] {
  const ranges: TakenRange[] = [];
  if (plan.driver !== 'existing') ranges.push({ range: plan.network.cidr, owner: `${plan.name}'s lab network`, lab: plan.name });
  ranges.push(
    { range: plan.network.podCidr, owner: `${plan.name}'s pod range`, lab: plan.name },
    { range: plan.network.serviceCidr, owner: `${plan.name}'s service range`, lab: plan.name },
  );
  return ranges.filter((range) => parseRange(range.range) !== undefined);
}

/**
 * Host networks that are another lab's own bridge (a running lab's network shows up among the
 * host's interfaces) are reported as that lab's, once.
 */
export function mergeTaken(hostNetworks: readonly TakenRange[], labs: readonly TakenRange[]): TakenRange[] {
  const labKeys = new Set(labs.map((range) => range.range));
  return [...labs, ...hostNetworks.filter((range) => !labKeys.has(range.range))];
}

function* octets(from: number, to: number): Generator<number> {
  for (let value = from; from <= to ? value <= to : value >= to; value += from <= to ? 1 : -1) yield value;
}

/** Candidate lab networks, in order: 192.168.150-254, 192.168.100-149, then 10.10.0-255 (all /24). */
function* networkCandidates(): Generator<ParsedCidr> {
  for (const third of [...octets(150, 254), ...octets(100, 149)]) yield { ...slash24(192, 168, third) };
  for (const third of octets(0, 255)) yield slash24(10, 10, third);
}

function slash24(a: number, b: number, c: number): ParsedCidr {
  const first = ((a * 256 + b) * 256 + c) * 256;
  return { first, last: first + 255, prefix: 24, aligned: true };
}

function slash16(a: number, b: number): ParsedCidr {
  const first = (a * 256 + b) * 65536;
  return { first, last: first + 65535, prefix: 16, aligned: true };
}

/** Pods: kubeadm's and flannel's customary 10.244.0.0/16 first, then 10.245-255, then 10.128-243. */
function* podCandidates(): Generator<ParsedCidr> {
  for (const second of [...octets(244, 255), ...octets(128, 243)]) yield slash16(10, second);
}

/** Services: 10.96.0.0/16 (the first /16 of kubeadm's default 10.96.0.0/12) first, then 10.97-127. */
function* serviceCandidates(): Generator<ParsedCidr> {
  for (const second of octets(96, 127)) yield slash16(10, second);
}

function firstFree(candidates: Iterable<ParsedCidr>, taken: readonly Ipv4Range[], what: string): ParsedCidr {
  for (const candidate of candidates) {
    if (!taken.some((range) => overlaps(range, candidate))) return candidate;
  }
  throw new Error(`No free ${what} is left on this host: every candidate overlaps a network or lab already there.`);
}

/** The next free allocation: a NAT network, its pool, endpoint address and LoadBalancer slice, pods and services. */
export interface NetworkAllocation {
  network: LabNetwork;
  apiEndpointAddress: string;
}

/**
 * The first allocation that overlaps nothing in `taken` (the host's networks and its other labs).
 * @throws Error when a whole candidate list is used up (the message says which).
 */
export function allocateNetwork(taken: readonly TakenRange[]): NetworkAllocation {
  const used = taken.map((range) => parseRange(range.range)).filter((range): range is Ipv4Range => range !== undefined);
  const network = firstFree(networkCandidates(), used, 'lab network');
  const pods = firstFree(podCandidates(), [...used, network], 'pod range');
  const services = firstFree(serviceCandidates(), [...used, network, pods], 'service range');
  const laidOut = networkLayout(cidrText(network));
  // Every candidate is a /24, which always has a layout.
  if (!laidOut.ok) throw new Error(`${laidOut.message} ${laidOut.fix}`);
  const { apiEndpointAddress, ...slices } = laidOut.layout;
  return {
    network: { mode: 'nat', cidr: cidrText(network), podCidr: cidrText(pods), serviceCidr: cidrText(services), ...slices },
    apiEndpointAddress,
  };
}

/** Fields of the plan that hold a range, with their words. */
const PLAN_RANGES = [
  { field: 'network.cidr', words: 'lab network', get: (plan: LabPlan) => plan.network.cidr },
  { field: 'network.podCidr', words: 'pod range', get: (plan: LabPlan) => plan.network.podCidr },
  { field: 'network.serviceCidr', words: 'service range', get: (plan: LabPlan) => plan.network.serviceCidr },
] as const;

/**
 * The plan's own ranges: pod and service CIDRs well formed and sized for Kubernetes, the three
 * ranges disjoint, and (kubeadm) the LoadBalancer slice inside the network, outside the DHCP pool,
 * the gateway and the API endpoint address. Needs no host.
 */
export function planRangeProblems(plan: LabPlan): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const add = (field: string, message: string, fix: string) => problems.push({ field, message, fix });
  const { network } = plan;
  const machines = plan.controlPlaneCount + plan.linuxWorkers + plan.windowsWorkers;

  const pods = parseIpv4Cidr(network.podCidr);
  if (pods === undefined || !pods.aligned || pods.prefix < 8 || pods.prefix > 24) {
    add(
      'network.podCidr',
      pods !== undefined && !pods.aligned
        ? `The pod range ${network.podCidr} does not start at its network address (${cidrText(pods)}).`
        : `"${network.podCidr}" is not a pod range: an IPv4 CIDR from /8 to /24 is needed (each node gets a /24 of it).`,
      pods !== undefined && !pods.aligned ? `Use ${cidrText(pods)}.` : 'Use e.g. 10.244.0.0/16.',
    );
  } else if (2 ** (24 - pods.prefix) < machines) {
    add(
      'network.podCidr',
      `The pod range ${network.podCidr} has ${2 ** (24 - pods.prefix)} node subnets (/24) for ${machines} nodes.`,
      'Use a wider pod range, e.g. a /16.',
    );
  }
  const services = parseIpv4Cidr(network.serviceCidr);
  if (services === undefined || !services.aligned || services.prefix < 12 || services.prefix > 28) {
    add(
      'network.serviceCidr',
      services !== undefined && !services.aligned
        ? `The service range ${network.serviceCidr} does not start at its network address (${cidrText(services)}).`
        : `"${network.serviceCidr}" is not a service range: the API server takes an IPv4 CIDR from /12 to /28.`,
      services !== undefined && !services.aligned ? `Use ${cidrText(services)}.` : 'Use e.g. 10.96.0.0/16.',
    );
  }
  const checked = PLAN_RANGES.filter((entry) => plan.driver !== 'existing' || entry.field !== 'network.cidr');
  for (const [index, a] of checked.entries()) {
    for (const b of checked.slice(index + 1)) {
      const first = parseIpv4Cidr(a.get(plan));
      const second = parseIpv4Cidr(b.get(plan));
      if (first === undefined || second === undefined || !overlaps(first, second)) continue;
      add(
        b.field,
        `The ${b.words} ${b.get(plan)} overlaps the ${a.words} ${a.get(plan)} of this plan.`,
        `Give the ${b.words} addresses of its own (the proposed ranges never overlap).`,
      );
    }
  }
  if (plan.driver !== 'existing') problems.push(...addressProblems(plan));
  return problems;
}

/** The API endpoint address and (kubeadm) the LoadBalancer slice: inside the network, clear of the pool, the gateway and each other. */
function addressProblems(plan: LabPlan): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const add = (field: string, message: string, fix: string) => problems.push({ field, message, fix });
  const { network } = plan;
  const cidr = parseIpv4Cidr(network.cidr);
  const poolStart = ipv4ToNumber(network.poolStart);
  const poolEnd = ipv4ToNumber(network.poolEnd);
  if (cidr === undefined || poolStart === undefined || poolEnd === undefined || poolEnd < poolStart) return problems;
  const usable = { first: cidr.first + 2, last: cidr.last - 1 };
  const pool = { first: poolStart, last: poolEnd };
  // A pool outside the network is reported on its own (plan-validation); nothing here can be placed against it.
  if (!contains(usable, pool)) return problems;
  const poolWords = `the DHCP pool ${network.poolStart}-${network.poolEnd}`;
  const free = slicesOutsidePool(network.cidr, network.poolStart, network.poolEnd);

  const address = ipv4ToNumber(plan.apiEndpoint.address);
  if (address === undefined || !contains(usable, { first: address, last: address })) {
    add(
      'apiEndpoint.address',
      `The API endpoint address "${plan.apiEndpoint.address}" is not a usable address of ${network.cidr} (the gateway ${numberToIpv4(cidr.first + 1)} is the host's).`,
      `Use an address of the lab network outside the pool${free === undefined ? '' : `, e.g. ${free.apiEndpointAddress}`}.`,
    );
  } else if (overlaps(pool, { first: address, last: address })) {
    add(
      'apiEndpoint.address',
      `The API endpoint address ${plan.apiEndpoint.address} is inside ${poolWords}, so a VM could be given it.`,
      `Use an address outside the pool${free === undefined ? '' : `, e.g. ${free.apiEndpointAddress}`}.`,
    );
  }
  if (plan.distribution !== 'kubeadm') return problems;
  const lbStart = ipv4ToNumber(network.loadBalancerStart);
  const lbEnd = ipv4ToNumber(network.loadBalancerEnd);
  const suggestion = free === undefined ? '' : ` (e.g. ${free.loadBalancerStart}-${free.loadBalancerEnd})`;
  if (lbStart === undefined || lbEnd === undefined || lbEnd < lbStart || !contains(usable, { first: lbStart, last: lbEnd })) {
    add(
      'network.loadBalancerStart',
      `The LoadBalancer range "${network.loadBalancerStart}-${network.loadBalancerEnd}" is not a range of usable addresses of ${network.cidr}.`,
      `Give a first and last address inside the lab network, outside the DHCP pool${suggestion}.`,
    );
    return problems;
  }
  const lb = { first: lbStart, last: lbEnd };
  const lbWords = `The LoadBalancer range ${network.loadBalancerStart}-${network.loadBalancerEnd}`;
  if (overlaps(lb, pool)) {
    add(
      'network.loadBalancerStart',
      `${lbWords} overlaps ${poolWords}: MetalLB and DHCP would hand out the same addresses.`,
      `Move the LoadBalancer range out of the pool${suggestion}.`,
    );
  }
  if (address !== undefined && overlaps(lb, { first: address, last: address })) {
    add(
      'network.loadBalancerStart',
      `${lbWords} contains the API endpoint address ${plan.apiEndpoint.address}.`,
      `Move the LoadBalancer range off the endpoint address${suggestion}.`,
    );
  }
  return problems;
}

/**
 * The plan's ranges against what the host and its other labs use: each overlap names both ranges
 * and who holds the other, and the fix proposes the next free ranges. In bridge mode the lab
 * network is the LAN of the bridge, so the bridge's own network is expected there.
 */
export function overlapProblems(plan: LabPlan, taken: readonly TakenRange[]): PlanProblem[] {
  const problems: PlanProblem[] = [];
  let proposal: NetworkAllocation | undefined;
  try {
    proposal = allocateNetwork(taken);
  } catch {
    proposal = undefined;
  }
  const proposed: Record<(typeof PLAN_RANGES)[number]['field'], string | undefined> = {
    'network.cidr': proposal?.network.cidr,
    'network.podCidr': proposal?.network.podCidr,
    'network.serviceCidr': proposal?.network.serviceCidr,
  };
  for (const entry of PLAN_RANGES) {
    if (plan.driver === 'existing' && entry.field === 'network.cidr') continue;
    const mine = parseIpv4Cidr(entry.get(plan));
    if (mine === undefined) continue;
    for (const other of taken) {
      if (other.lab === plan.name) continue;
      if (
        entry.field === 'network.cidr' &&
        plan.network.mode === 'bridge' &&
        other.lab === undefined &&
        other.device === plan.network.bridge
      ) {
        continue;
      }
      const range = parseRange(other.range);
      if (range === undefined || !overlaps(mine, range)) continue;
      const next = proposed[entry.field];
      problems.push({
        field: entry.field,
        message: `The ${entry.words} ${entry.get(plan)} overlaps ${other.owner} ${other.range} on this host.`,
        fix:
          next === undefined
            ? `Choose a ${entry.words} that overlaps none of the host's networks and labs.`
            : `Use ${next}, the next free ${entry.words} of this host (or "Use the next free ranges" in the form).`,
      });
    }
  }
  return problems;
}

/** The ranges every lab had before they were allocated per host (kubeadm's podSubnet and serviceSubnet then). */
const LEGACY_POD_CIDR = '10.244.0.0/16';
const LEGACY_SERVICE_CIDR = '10.96.0.0/12';

/**
 * A plan stored before the pod, service and LoadBalancer ranges and the endpoint address were
 * part of it gets the ranges it was built with, and a LoadBalancer slice and endpoint address
 * outside its pool (empty when the network has no room: validation then says what to set).
 */
export function withNetworkDefaults(plan: LabPlan): LabPlan {
  const network: Partial<LabNetwork> & Pick<LabNetwork, 'mode' | 'cidr' | 'poolStart' | 'poolEnd'> = plan.network;
  const endpoint: Partial<LabPlan['apiEndpoint']> & Pick<LabPlan['apiEndpoint'], 'host' | 'port'> = plan.apiEndpoint;
  if (
    network.podCidr !== undefined &&
    network.serviceCidr !== undefined &&
    network.loadBalancerStart !== undefined &&
    network.loadBalancerEnd !== undefined &&
    endpoint.address !== undefined
  ) {
    return plan;
  }
  const slices = slicesOutsidePool(network.cidr, network.poolStart, network.poolEnd);
  return {
    ...plan,
    network: {
      ...network,
      podCidr: network.podCidr ?? LEGACY_POD_CIDR,
      serviceCidr: network.serviceCidr ?? LEGACY_SERVICE_CIDR,
      loadBalancerStart: network.loadBalancerStart ?? slices?.loadBalancerStart ?? '',
      loadBalancerEnd: network.loadBalancerEnd ?? slices?.loadBalancerEnd ?? '',
    },
    apiEndpoint: { ...endpoint, address: endpoint.address ?? slices?.apiEndpointAddress ?? '' },
  };
}
