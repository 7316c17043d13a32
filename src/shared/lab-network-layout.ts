/**
 * Where a lab network puts its parts: the API endpoint address, the DHCP pool and the
 * LoadBalancer range. The main process allocates networks with it and the plan form follows a
 * network the user types with it, so both always lay a network out the same way. Pure.
 */
import { ipv4ToNumber, numberToIpv4, overlaps, parseIpv4Cidr } from './ipv4';

/** Offsets from the network address in a /24 (or wider) lab network. */
export const LAB_NETWORK_SLOTS = { apiEndpoint: 10, poolStart: 100, poolEnd: 199, loadBalancerStart: 200, loadBalancerEnd: 239 } as const;

/** The narrowest network that still has a gateway, an endpoint address, a pool and a LoadBalancer address. */
export const NARROWEST_LAB_PREFIX = 29;
/** Plan validation takes lab networks from /8. */
export const WIDEST_LAB_PREFIX = 8;

export interface NetworkLayout {
  apiEndpointAddress: string;
  poolStart: string;
  poolEnd: string;
  loadBalancerStart: string;
  loadBalancerEnd: string;
}

/** A layout, or what is wrong with the network text and what to type instead. */
export type NetworkLayoutResult = { ok: true; layout: NetworkLayout } | { ok: false; message: string; fix: string };

/**
 * The layout of a lab network: in a /24 or wider, the endpoint at .10, the pool .100-.199 and the
 * LoadBalancer range .200-.239 of its first /24 (what allocation proposes); a narrower network
 * gets the same shares of its own size (a /28: endpoint .2, pool .6-.11, LoadBalancer .12-.14).
 */
export function networkLayout(text: string): NetworkLayoutResult {
  const cidr = parseIpv4Cidr(text);
  if (cidr === undefined) {
    return { ok: false, message: `"${text.trim()}" is not a network in CIDR form (address/prefix).`, fix: 'Type e.g. 192.168.160.0/24.' };
  }
  const network = `${numberToIpv4(cidr.first)}/${cidr.prefix}`;
  if (!cidr.aligned) return { ok: false, message: `${text.trim()} does not start at its network address.`, fix: `Use ${network}.` };
  if (cidr.prefix > NARROWEST_LAB_PREFIX) {
    return {
      ok: false,
      message: `A /${cidr.prefix} leaves too few addresses for the gateway, the API endpoint, a DHCP pool and a LoadBalancer range.`,
      fix: `Use a /${NARROWEST_LAB_PREFIX} or wider (a /24 is usual).`,
    };
  }
  if (cidr.prefix < WIDEST_LAB_PREFIX) {
    return {
      ok: false,
      message: `A /${cidr.prefix} is wider than a lab network can be.`,
      fix: `Use a prefix from /${WIDEST_LAB_PREFIX} to /${NARROWEST_LAB_PREFIX}, e.g. /24.`,
    };
  }
  const size = Math.min(cidr.last - cidr.first + 1, 256);
  const share = (offsetIn24: number) => Math.floor((size * offsetIn24) / 256);
  const poolStart = share(LAB_NETWORK_SLOTS.poolStart);
  const poolEnd = share(LAB_NETWORK_SLOTS.poolEnd + 1) - 1;
  const loadBalancerEnd = Math.min(share(LAB_NETWORK_SLOTS.loadBalancerEnd + 1) - 1, size - 2);
  const endpoint = LAB_NETWORK_SLOTS.apiEndpoint < poolStart ? LAB_NETWORK_SLOTS.apiEndpoint : 2;
  const at = (offset: number) => numberToIpv4(cidr.first + offset);
  return {
    ok: true,
    layout: {
      apiEndpointAddress: at(endpoint),
      poolStart: at(poolStart),
      poolEnd: at(poolEnd),
      loadBalancerStart: at(poolEnd + 1),
      loadBalancerEnd: at(loadBalancerEnd),
    },
  };
}

/**
 * A LoadBalancer slice and an endpoint address for a network whose pool is already chosen (a lab
 * stored before these fields existed, or a network the user typed): the 40 addresses after the pool
 * (or fewer, up to the last usable address), else those before it; the endpoint at network + 10,
 * else the first free address after the gateway.
 */
export function slicesOutsidePool(
  cidrTextValue: string,
  poolStart: string,
  poolEnd: string,
): { loadBalancerStart: string; loadBalancerEnd: string; apiEndpointAddress: string } | undefined {
  const cidr = parseIpv4Cidr(cidrTextValue);
  const start = ipv4ToNumber(poolStart);
  const end = ipv4ToNumber(poolEnd);
  if (cidr === undefined || start === undefined || end === undefined || cidr.last - cidr.first < 8) return undefined;
  const usableFirst = cidr.first + 2;
  const usableLast = cidr.last - 1;
  const pool = { first: start, last: end };
  let endpoint = cidr.first + LAB_NETWORK_SLOTS.apiEndpoint;
  if (endpoint > usableLast || overlaps(pool, { first: endpoint, last: endpoint })) endpoint = usableFirst;
  while (endpoint <= usableLast && endpoint >= start && endpoint <= end) endpoint += 1;
  if (endpoint > usableLast) return undefined;
  const after = { first: Math.max(end + 1, endpoint + 1), last: Math.min(end + 40, usableLast) };
  const before = { first: Math.max(start - 40, endpoint + 1, usableFirst), last: start - 1 };
  const slice = after.last >= after.first ? after : before.last >= before.first ? before : undefined;
  if (slice === undefined) return undefined;
  return {
    loadBalancerStart: numberToIpv4(slice.first),
    loadBalancerEnd: numberToIpv4(slice.last),
    apiEndpointAddress: numberToIpv4(endpoint),
  };
}
