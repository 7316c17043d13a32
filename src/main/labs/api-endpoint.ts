/**
 * The lab's API endpoint, served. Inside the lab network the endpoint name resolves to the
 * endpoint address (libvirt's DNS, every VM's /etc/hosts): with one control plane that address is
 * the first control plane's own (a fixed DHCP reservation, or its static address on Hyper-V);
 * with three it is the lab host's, where HAProxy balances over the control planes. HAProxy also
 * listens on a port of the lab host (one per lab), so a kubeconfig used from this computer
 * reaches the API server at the host's address.
 *
 * HAProxy runs as a per-lab instance of one systemd template unit (Debian's haproxy package,
 * started like Debian's own haproxy.service): each lab has its own process and configuration file,
 * so a lab's change or removal never reloads another lab's, and an enabled instance comes back
 * after a reboot of the host. Every configuration is checked with `haproxy -c` before it is put in
 * place and (re)loaded.
 */
import { createHash } from 'node:crypto';
import type { LabMachine, LabPlan } from '../../shared/contract/labs';
import { endpointService } from '../../shared/lab-endpoint';
import { ensureHaproxyInstance, haproxyUnitOf, removeHaproxyInstance, requireHaproxy } from './haproxy-instance';
import { ipv4ToNumber, numberToIpv4 } from './plan-validation';
import { done, skipped } from './step-context';
import type { StepContext, StepOutcome } from './step-context';

/** The port kube-apiserver binds on each control plane (kubeadm's localAPIEndpoint, k3s). */
export const API_SERVER_PORT = 6443;
export { HAPROXY, HAPROXY_UNIT, HAPROXY_UNIT_PATH, HAPROXY_CONFIG_DIR, haproxyConfigPath, haproxyUnitOf } from './haproxy-instance';

/** A MAC address of libvirt's prefix (52:54:00) that is the same for a VM of a lab on every run. */
export function machineMac(labId: string, vm: string): string {
  const digest = createHash('sha256').update(`${labId}/${vm}`).digest();
  return ['52', '54', '00', ...[0, 1, 2].map((index) => (digest[index] ?? 0).toString(16).padStart(2, '0'))].join(':');
}

/**
 * The fixed addresses of the control planes, known before any VM exists (the load balancer and
 * the DNS entry need them up front). One control plane: the endpoint address itself. Three: the
 * first three addresses of the DHCP pool, reserved for them (dnsmasq never hands a reserved
 * address to another machine). Empty when Nestlab does not serve the endpoint.
 */
export function controlPlaneAddresses(plan: LabPlan): string[] {
  if (endpointService(plan).kind !== 'nestlab') return [];
  if (plan.controlPlaneCount === 1) return [plan.apiEndpoint.address];
  const start = ipv4ToNumber(plan.network.poolStart) ?? 0;
  return Array.from({ length: plan.controlPlaneCount }, (_, index) => numberToIpv4(start + index));
}

/** The reserved address of a control plane (by its index in the lab), if it has one. */
export function reservedAddress(plan: LabPlan, machine: LabMachine): string | undefined {
  if (machine.role !== 'control-plane') return undefined;
  const index = Number(/(\d+)$/.exec(machine.name)?.[1] ?? 0) - 1;
  return controlPlaneAddresses(plan)[index];
}

/** The control-plane machines a plan has, named as machines.ts names them. */
function controlPlaneNames(plan: LabPlan): string[] {
  return Array.from({ length: plan.controlPlaneCount }, (_, index) => `${plan.name}-cp${index + 1}`);
}

/** DHCP reservations of the lab network: MAC, VM name and address of each control plane. */
export function dhcpReservations(plan: LabPlan, labId: string): { mac: string; name: string; ip: string }[] {
  const addresses = controlPlaneAddresses(plan);
  return controlPlaneNames(plan).flatMap((name, index) => {
    const ip = addresses[index];
    return ip === undefined ? [] : [{ mac: machineMac(labId, name), name, ip }];
  });
}

/** Whether the endpoint is a name (then it gets a DNS entry and a hosts line); an address needs neither. */
function endpointName(plan: LabPlan): string | undefined {
  return ipv4ToNumber(plan.apiEndpoint.host) === undefined ? plan.apiEndpoint.host : undefined;
}

/** The endpoint name and the address it stands for in the lab network, where Nestlab serves it. */
export function endpointHostEntry(plan: LabPlan): { ip: string; name: string } | undefined {
  const name = endpointName(plan);
  if (name === undefined || endpointService(plan).kind !== 'nestlab') return undefined;
  return { ip: plan.apiEndpoint.address, name };
}

/**
 * Every name and address a client uses for the API server, for the serving certificate: the
 * endpoint (name and address), the machine's own address, and the lab host's address where
 * HAProxy's host port is the way in from outside.
 */
export function apiServerSans(plan: LabPlan, machineAddress: string, hostAddress?: string): string[] {
  const service = endpointService(plan);
  const sans = [plan.apiEndpoint.host, machineAddress];
  if (service.kind === 'nestlab') sans.push(plan.apiEndpoint.address);
  if (service.hostPort !== undefined && hostAddress !== undefined && hostAddress !== '') sans.push(hostAddress);
  return [...new Set(sans)];
}

/**
 * The lab's HAProxy configuration: TCP passthrough (the API server's own TLS reaches the client),
 * a frontend on the endpoint address (three control planes) and one on the host port.
 *
 * One control plane: no health check. There is nothing to fail over to, and a check only adds a
 * time when HAProxy closes connections to a server that already answers: HAProxy 2.6 starts a
 * checked server UP with the lowest health, so the first failed check (the control plane still
 * booting) marks it DOWN at once, and it comes back only after `rise` good checks.
 *
 * Several control planes: each is health-checked on /readyz over TLS (anonymous, as kubeadm
 * allows), so a stopped one is taken out; and each is also an unchecked backup, used only while
 * no checked one is UP (just after the lab started, or when every check fails at once), so the
 * endpoint then tries the control planes rather than closing every connection. HAProxy 3.1's
 * `init-state` would say this for the start alone; Debian 12's HAProxy 2.6 does not have it.
 */
export function haproxyConfig(plan: LabPlan): string {
  const service = endpointService(plan);
  const binds: string[] = [];
  // `transparent` lets HAProxy bind the endpoint address before libvirt has put it on the lab bridge (boot order).
  if (plan.controlPlaneCount === 3) binds.push(`    bind ${plan.apiEndpoint.address}:${plan.apiEndpoint.port} transparent`);
  if (service.hostPort !== undefined) binds.push(`    bind :${service.hostPort}`);
  const addresses = controlPlaneAddresses(plan).map((address, index) => ({ name: `${plan.name}-cp${index + 1}`, address }));
  const backend =
    addresses.length === 1
      ? addresses.map(({ name, address }) => `    server ${name} ${address}:${API_SERVER_PORT}`)
      : [
          '    balance roundrobin',
          '    option httpchk GET /readyz',
          // kubeadm's API server lets anyone read /readyz; k3s turns anonymous requests off, so there a
          // 401 is the answer of a serving API server (a starting or failing one still fails the check).
          plan.distribution === 'k3s' ? '    http-check expect rstatus ^(200|401)$' : '    http-check expect status 200',
          // A check waits for the TLS handshake and the answer up to 5 s (a busy host is not a down control plane).
          '    timeout check 5s',
          '    default-server inter 2s fall 2 rise 2',
          '    option allbackups',
          ...addresses.map(({ name, address }) => `    server ${name} ${address}:${API_SERVER_PORT} check check-ssl verify none`),
          ...addresses.map(({ name, address }) => `    server ${name}-unchecked ${address}:${API_SERVER_PORT} backup`),
        ];
  return [
    `# Written by Nestlab: the API endpoint of lab ${plan.name}. Nestlab replaces this file; edit the lab instead.`,
    'global',
    '    maxconn 4096',
    '',
    'defaults',
    '    mode tcp',
    '    timeout connect 5s',
    // Watches and exec sessions stay open for long.
    '    timeout client 1h',
    '    timeout server 1h',
    // A connection refused by a control plane that is down but not yet marked so goes to another.
    '    retries 3',
    '    option redispatch',
    '',
    `frontend ${plan.name}-api`,
    ...binds,
    `    default_backend ${plan.name}-control-planes`,
    '',
    `backend ${plan.name}-control-planes`,
    ...backend,
    '',
  ].join('\n');
}

/**
 * HAProxy for the lab: its instance (haproxy-instance.ts) with the lab's configuration, checked
 * with `haproxy -c` before it replaces the running one, then started and enabled or reloaded.
 * Skipped when both files are as wanted and the instance is active.
 */
export async function ensureLoadBalancer(ctx: StepContext): Promise<StepOutcome> {
  const { plan } = ctx;
  await requireHaproxy(ctx, "the lab's API endpoint");
  const { hostPort } = endpointService(plan);
  const change = await ensureHaproxyInstance(ctx, {
    name: plan.name,
    config: haproxyConfig(plan),
    ports: hostPort === undefined ? [] : [hostPort],
    owner: `lab ${plan.name}`,
    refusedFix: "Check the plan's API endpoint address and host port, then resume.",
  });
  if (change === 'unchanged') return skipped(`HAProxy of ${plan.name} runs with this configuration.`);
  return done(change === 'reloaded' ? 'Configuration reloaded.' : `${haproxyUnitOf(plan.name)} started and enabled.`);
}

/** Stop and disable the lab's HAProxy instance and remove its configuration (the template unit stays for other labs). */
export async function removeLoadBalancer(ctx: StepContext): Promise<StepOutcome> {
  return (await removeHaproxyInstance(ctx, ctx.plan.name)) ? done() : skipped('The lab has no HAProxy instance.');
}
