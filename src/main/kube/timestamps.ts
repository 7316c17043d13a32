/** Timestamps as the API server and the kubelet write them (RFC 3339, UTC). */

/**
 * Orders RFC 3339 timestamps. The kubelet writes UTC ("Z") with up to nine fraction digits and
 * drops trailing zeros, so plain string order is wrong ("…05.1Z" vs "…05.12Z" is fine, but
 * "…05Z" sorts after "…05.1Z"): compare the seconds and then the padded fraction.
 */
export function compareTimestamps(a: string, b: string): number {
  const [secondsA, fractionA] = normalise(a);
  const [secondsB, fractionB] = normalise(b);
  if (secondsA !== secondsB) return secondsA < secondsB ? -1 : 1;
  return fractionA < fractionB ? -1 : fractionA > fractionB ? 1 : 0;
}

function normalise(timestamp: string): [string, string] {
  const match = /^(.{19})(?:\.(\d+))?(.*)$/.exec(timestamp);
  if (!match) return [timestamp, ''];
  return [`${match[1]!}${match[3] ?? ''}`, (match[2] ?? '').padEnd(9, '0')];
}
