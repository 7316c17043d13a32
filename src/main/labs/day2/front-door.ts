/**
 * The front door on the lab host: the pair's HAProxy instance (haproxy-instance.ts: `haproxy -c`
 * before every reload, master-worker reload so no connection is refused), reached through the
 * hosts service.
 */
import type { BlueGreenPair } from '../../../shared/contract/blue-green';
import { requireSuccess } from '../../hosts/remote-command';
import { buildCommand } from '../../hosts/shell-quote';
import type { ExecOptions, ExecResult } from '../../hosts/ssh-connection';
import { ensureHaproxyInstance, removeHaproxyInstance, requireHaproxy } from '../haproxy-instance';
import type { HaproxyChange, HaproxyHost } from '../haproxy-instance';
import { frontDoorConfig, frontDoorInstance, listeningPorts } from './front-door-config';

/** What the front door needs of the hosts service. */
export interface FrontDoorHosts {
  run(hostId: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  runAsRoot(hostId: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
}

/** The lab host as the HAProxy functions take it; `onCommand` sees every command line (never stdin). */
export function frontDoorHost(hosts: FrontDoorHosts, hostId: string, onCommand?: (line: string) => void): HaproxyHost {
  const run = (argv: readonly string[], options: { root?: boolean; stdin?: string | Buffer; timeoutMs?: number } = {}) => {
    const { root = false, stdin, timeoutMs } = options;
    onCommand?.(buildCommand(root ? ['sudo', ...argv] : argv));
    const exec: ExecOptions = { ...(stdin === undefined ? {} : { stdin }), ...(timeoutMs === undefined ? {} : { timeoutMs }) };
    return root ? hosts.runAsRoot(hostId, argv, exec) : hosts.run(hostId, argv, exec);
  };
  return {
    dry: false,
    observeHost: run,
    host: async (argv, options) => requireSuccess(await run(argv, options), buildCommand(argv)),
  };
}

/** The ports programs listen on at the host now (a new app's port must be none of them). */
export async function hostListeningPorts(host: HaproxyHost): Promise<Set<number>> {
  const result = await host.observeHost(['ss', '-Htln']);
  return result.exitCode === 0 ? listeningPorts(result.stdout) : new Set();
}

/** Write the pair's front door as it should be now (its active side), checked, then started or reloaded. */
export async function applyFrontDoor(host: HaproxyHost, pair: BlueGreenPair): Promise<HaproxyChange> {
  await requireHaproxy(host, 'the front door of the blue/green labs');
  return ensureHaproxyInstance(host, {
    name: frontDoorInstance(pair.blue),
    config: frontDoorConfig(pair),
    ports: pair.apps.map((app) => app.hostPort),
    owner: `the front door of labs ${pair.blue} and ${pair.green}`,
    refusedFix: "Check the apps' addresses in both labs, then prepare the pair again.",
  });
}

/** Close the pair's front door (its instance and configuration). */
export async function closeFrontDoor(host: HaproxyHost, blue: string): Promise<void> {
  await removeHaproxyInstance(host, frontDoorInstance(blue));
}
