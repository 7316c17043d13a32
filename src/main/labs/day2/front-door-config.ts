/**
 * The front door of a blue/green pair, as text: an HAProxy configuration with one frontend per
 * app on a port of the lab host, whose backend holds the app's address in both labs with the
 * inactive one disabled. A switch is this text with the other side enabled, loaded by a reload,
 * so the port the user opens never changes.
 */
import type { BlueGreenPair, BlueGreenSide, FrontDoorApp } from '../../../shared/contract/blue-green';

/** The first lab host port front doors take (the API endpoints take 16443 upwards). */
export const FIRST_FRONT_DOOR_PORT = 18080;

/** The HAProxy instance of a pair: `_` keeps it apart from every lab's own instance (lab names are DNS labels). */
export function frontDoorInstance(blue: string): string {
  return `${blue}_front-door`;
}

/** The lowest ports from `first` that are neither taken nor listening on the host, one per app. */
export function allocateFrontDoorPorts(count: number, taken: ReadonlySet<number>, first = FIRST_FRONT_DOOR_PORT): number[] {
  const ports: number[] = [];
  for (let port = first; ports.length < count; port += 1) {
    if (port > 65535) throw new Error('The lab host has no free port left for the front door.');
    if (!taken.has(port)) ports.push(port);
  }
  return ports;
}

/** The ports `ss -Htln` lists as listening (its fourth column, "address:port"). */
export function listeningPorts(ssOutput: string): Set<number> {
  const ports = new Set<number>();
  for (const line of ssOutput.split('\n')) {
    const local = line.trim().split(/\s+/)[3];
    const port = Number(local?.slice(local.lastIndexOf(':') + 1));
    if (Number.isInteger(port) && port > 0) ports.add(port);
  }
  return ports;
}

/** A proxy name for an app: namespace and instance are DNS labels, so the dot keeps any two apart. */
function proxyName(app: FrontDoorApp): string {
  return `${app.namespace}.${app.instance}`;
}

function serverLines(app: FrontDoorApp, active: BlueGreenSide): string[] {
  return (['blue', 'green'] as const).flatMap((side) => {
    const backend = app.backends[side];
    if (backend === undefined) return [];
    // The inactive side stays in the file, disabled: the switch changes one word per app.
    return [`    server ${side} ${backend}${side === active ? '' : ' disabled'}`];
  });
}

/**
 * The front door's configuration. HTTP apps go through in HTTP mode, so after a switch the next
 * request (a kept-alive connection included) reaches the new side; https apps go through as TCP
 * (their own TLS reaches the browser), where a connection open during the switch stays on its side.
 */
export function frontDoorConfig(pair: Pick<BlueGreenPair, 'blue' | 'green' | 'apps' | 'active'>): string {
  const lines = [
    `# Written by Nestlab: the front door of labs ${pair.blue} (blue) and ${pair.green} (green), serving ${pair.active}. Nestlab replaces this file.`,
    'global',
    '    maxconn 4096',
    '',
    'defaults',
    '    mode http',
    '    timeout connect 5s',
    '    timeout client 1m',
    '    timeout server 1m',
    '    timeout http-keep-alive 10s',
    // A connection an app's address refuses is tried again (its pod restarting).
    '    retries 3',
  ];
  for (const app of pair.apps) {
    const name = proxyName(app);
    const mode = app.scheme === 'https' ? ['    mode tcp'] : [];
    lines.push(
      '',
      `frontend ${name}`,
      ...mode,
      `    bind :${app.hostPort}`,
      `    default_backend ${name}`,
      '',
      `backend ${name}`,
      ...mode,
      ...serverLines(app, pair.active),
    );
  }
  lines.push('');
  return lines.join('\n');
}

/** Why the front door cannot send users to `side`, or undefined when it can. */
export function switchProblem(pair: BlueGreenPair, side: BlueGreenSide): string | undefined {
  const lab = side === 'blue' ? pair.blue : pair.green;
  if (pair.deleted.includes(side)) return `Lab ${lab} (${side}) was deleted; the front door can only serve the other lab.`;
  if (pair.apps.length === 0) return `The front door has no apps yet: install a catalog app in ${pair.blue}, then prepare the pair again.`;
  const missing = pair.apps.filter((app) => app.backends[side] === undefined).map((app) => `${app.namespace}/${app.instance}`);
  if (missing.length > 0)
    return `These apps have no address in ${lab} yet: ${missing.join(', ')}. Prepare the pair again once they have one.`;
  return undefined;
}
