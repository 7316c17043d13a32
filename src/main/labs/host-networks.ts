/**
 * Reading a lab host's own IPv4 networks over SSH (its interfaces and routes), so a lab's ranges
 * can be kept clear of them. Linux: iproute2's JSON (`ip -j addr`, `ip -j route`); Windows:
 * Get-NetIPAddress, Get-NetRoute and the NAT prefixes, printed in the same shape.
 */
import { z } from 'zod';
import type { HostSummary } from '../../shared/contract/hosts';
import type { TakenRange } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import { runPowerShellJson } from '../hosts/powershell';
import { requireSuccess } from '../hosts/remote-command';
import type { ExecOptions, ExecResult, SshConnection } from '../hosts/ssh-connection';
import { hostNetworksFromIp } from './network-allocation';

/** What reading needs of the hosts service. */
export interface HostNetworkAccess {
  run(hostId: string, argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  connection(hostId: string): Promise<SshConnection>;
}

/** The Windows side prints iproute2-shaped lists, so one parser reads both. */
export const WINDOWS_HOST_NETWORKS_SCRIPT = [
  '# nestlab:hyperv-host-networks',
  "$ErrorActionPreference = 'Stop'",
  '$addr = @(Get-NetIPAddress -AddressFamily IPv4 | ForEach-Object { @{ ifname = $_.InterfaceAlias; addr_info = @(@{ family = "inet"; local = $_.IPAddress; prefixlen = [int]$_.PrefixLength }) } })',
  "$route = @(Get-NetRoute -AddressFamily IPv4 | Where-Object { $_.DestinationPrefix -ne '0.0.0.0/0' } | ForEach-Object { @{ dst = $_.DestinationPrefix; dev = $_.InterfaceAlias } })",
  '$route += @(Get-NetNat -ErrorAction SilentlyContinue | ForEach-Object { @{ dst = $_.InternalIPInterfaceAddressPrefix; dev = ("NetNat " + $_.Name) } })',
  'ConvertTo-Json -Compress -Depth 5 @{ addr = $addr; route = $route }',
  '',
].join('\n');

const windowsAnswer = z.object({ addr: z.array(z.unknown()), route: z.array(z.unknown()) });

/** Multicast and the limited broadcast are in every routing table and hold no network. */
function isNetwork(range: TakenRange): boolean {
  const first = Number(range.range.split('.')[0]);
  return first < 224;
}

/** The host's networks and routes (loopback, default route and multicast left out). */
export async function readHostNetworks(hosts: HostNetworkAccess, host: HostSummary): Promise<TakenRange[]> {
  const timeoutMs = 30_000;
  if (host.os === 'windows') {
    const answer = windowsAnswer.safeParse(
      await runPowerShellJson(await hosts.connection(host.id), WINDOWS_HOST_NETWORKS_SCRIPT, { timeoutMs }),
    );
    if (!answer.success) throw new AppError('INVALID_INPUT', 'Get-NetIPAddress / Get-NetRoute did not answer with lists.');
    return hostNetworksFromIp(JSON.stringify(answer.data.addr), JSON.stringify(answer.data.route)).filter(isNetwork);
  }
  const addr = requireSuccess(await hosts.run(host.id, ['ip', '-j', 'addr', 'show'], { timeoutMs }), '`ip -j addr show`');
  const route = requireSuccess(await hosts.run(host.id, ['ip', '-j', 'route', 'show'], { timeoutMs }), '`ip -j route show`');
  try {
    return hostNetworksFromIp(addr.stdout, route.stdout).filter(isNetwork);
  } catch (error) {
    throw new AppError('INVALID_INPUT', (error as Error).message, { fix: 'Install iproute2 4.14 or later on the host.' });
  }
}
