/** IPv4 addresses and CIDRs as 32-bit numbers. Pure: the main process and the renderer share it. */

/** An IPv4 address as a 32-bit number, or undefined when the text is not one. */
export function ipv4ToNumber(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

export function numberToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Inclusive IPv4 interval, as 32-bit numbers. */
export interface Ipv4Range {
  first: number;
  last: number;
}

/** A CIDR with any prefix (0-32): the range it covers, its prefix, and whether the address was the network address. */
export interface ParsedCidr extends Ipv4Range {
  prefix: number;
  /** "10.244.1.0/16" is not aligned: its network address is 10.244.0.0. */
  aligned: boolean;
}

export function parseIpv4Cidr(text: string): ParsedCidr | undefined {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(text.trim());
  if (match === null) return undefined;
  const base = ipv4ToNumber(match[1] ?? '');
  const prefix = Number(match[2]);
  if (base === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const first = base - (base % size);
  return { first, last: first + size - 1, prefix, aligned: first === base };
}

export function cidrText(range: { first: number; prefix: number }): string {
  return `${numberToIpv4(range.first)}/${range.prefix}`;
}

export function overlaps(a: Ipv4Range, b: Ipv4Range): boolean {
  return a.first <= b.last && b.first <= a.last;
}

export function contains(outer: Ipv4Range, inner: Ipv4Range): boolean {
  return outer.first <= inner.first && inner.last <= outer.last;
}
