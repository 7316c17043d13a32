/**
 * Whether this computer can open a TCP connection to an app's external address: the Apps view
 * makes the Open link the main action only then, and the port-forward (which goes through the
 * API server) otherwise. A LoadBalancer IP on a lab host's private network is often not reachable
 * from the laptop that shows it.
 */
import { BlockList, connect, isIP } from 'node:net';

/** Documentation ranges (RFC 5737, RFC 3849): never routed, so never probed. */
const documentation = new BlockList();
documentation.addSubnet('192.0.2.0', 24, 'ipv4');
documentation.addSubnet('198.51.100.0', 24, 'ipv4');
documentation.addSubnet('203.0.113.0', 24, 'ipv4');
documentation.addSubnet('2001:db8::', 32, 'ipv6');

export type AddressProbe = (host: string, port: number) => Promise<boolean>;

export const PROBE_TIMEOUT_MS = 1_500;

/** A TCP connect with a short timeout; true once it opens (it is closed at once, nothing is sent). */
export const probeTcp: AddressProbe = (host, port) => {
  const family = isIP(host);
  if (family !== 0 && documentation.check(host, family === 6 ? 'ipv6' : 'ipv4')) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: PROBE_TIMEOUT_MS });
    const done = (reachable: boolean) => {
      socket.destroy();
      resolve(reachable);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
};

/** Remembers answers for a while, so a status read every few seconds does not probe each time. */
export function cachedProbe(probe: AddressProbe, now: () => number = Date.now, keepMs = 30_000): AddressProbe {
  const answers = new Map<string, { at: number; answer: Promise<boolean> }>();
  return (host, port) => {
    const key = `${host}|${port}`;
    const kept = answers.get(key);
    if (kept && now() - kept.at < keepMs) return kept.answer;
    const answer = probe(host, port);
    answers.set(key, { at: now(), answer });
    return answer;
  };
}
