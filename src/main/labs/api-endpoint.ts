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
import { AppError } from '../../shared/errors';
import { endpointService } from '../../shared/lab-endpoint';
import { ipv4ToNumber, numberToIpv4 } from './plan-validation';
import { writeFileArgv } from './remote-file';
import { done, skipped } from './step-context';
import type { StepContext, StepOutcome } from './step-context';

/** The port kube-apiserver binds on each control plane (kubeadm's localAPIEndpoint, k3s). */
export const API_SERVER_PORT = 6443;
export const HAPROXY = '/usr/sbin/haproxy';
export const HAPROXY_UNIT_PATH = '/etc/systemd/system/nestlab-haproxy@.service';
export const HAPROXY_CONFIG_DIR = '/etc/haproxy/nestlab';

export function haproxyConfigPath(lab: string): string {
  return `${HAPROXY_CONFIG_DIR}/${lab}.cfg`;
}

export function haproxyUnitOf(lab: string): string {
  return `nestlab-haproxy@${lab}.service`;
}

/**
 * One template unit for every lab, as Debian's haproxy.service runs HAProxy (master-worker,
 * systemd notify, reload = check, then USR2), with the lab's own configuration.
 * Restart=always brings an instance back if it dies, and RestartSec lets the lab network's bridge
 * come up after a reboot (the endpoint address is bound with `transparent`, so it need not exist yet).
 */
export const HAPROXY_UNIT = [
  '# Written by Nestlab: the API endpoint of a lab (HAProxy, one instance per lab).',
  '[Unit]',
  'Description=Nestlab API endpoint of lab %i (HAProxy)',
  'Documentation=man:haproxy(1)',
  'After=network-online.target libvirtd.service',
  'Wants=network-online.target',
  '',
  '[Service]',
  `Environment="CONFIG=${HAPROXY_CONFIG_DIR}/%i.cfg"`,
  `ExecStartPre=${HAPROXY} -f $CONFIG -c -q`,
  // systemd knows the main PID (Type=notify); no pid file is needed.
  `ExecStart=${HAPROXY} -Ws -f $CONFIG`,
  `ExecReload=${HAPROXY} -Ws -f $CONFIG -c -q`,
  'ExecReload=/bin/kill -USR2 $MAINPID',
  'KillMode=mixed',
  'Restart=always',
  'RestartSec=2s',
  'SuccessExitStatus=143',
  'Type=notify',
  '',
  '[Install]',
  'WantedBy=multi-user.target',
  '',
].join('\n');

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

const systemctl = (...args: string[]) => ['systemctl', ...args];

/** The text of a file on the host, or undefined when it is not there. */
async function hostFile(ctx: StepContext, path: string): Promise<string | undefined> {
  const result = await ctx.observeHost(['cat', '--', path], { root: true });
  return result.exitCode === 0 ? result.stdout : undefined;
}

/**
 * HAProxy for the lab: the template unit, the lab's configuration (checked with `haproxy -c`
 * before it replaces the running one), then start-and-enable or reload. Skipped when both files
 * are as wanted and the instance is active.
 */
export async function ensureLoadBalancer(ctx: StepContext): Promise<StepOutcome> {
  const { plan } = ctx;
  const unit = haproxyUnitOf(plan.name);
  const path = haproxyConfigPath(plan.name);
  if ((await ctx.observeHost(['test', '-x', HAPROXY])).exitCode !== 0 && !ctx.dry) {
    throw new AppError('NOT_FOUND', `HAProxy is not installed on the lab host (${HAPROXY}); the lab's API endpoint runs on it.`, {
      fix: 'Install Debian\'s package on the host ("sudo apt-get install -y haproxy"), then resume the lab.',
    });
  }
  const config = haproxyConfig(plan);
  const unitChanged = (await hostFile(ctx, HAPROXY_UNIT_PATH)) !== HAPROXY_UNIT;
  const configChanged = (await hostFile(ctx, path)) !== config;
  const active = (await ctx.observeHost(systemctl('is-active', '--quiet', unit), { root: true })).exitCode === 0;
  if (!unitChanged && !configChanged && active) return skipped(`HAProxy of ${plan.name} runs with this configuration.`);
  const { hostPort } = endpointService(plan);
  if (!active && hostPort !== undefined) {
    const listening = await ctx.observeHost(['ss', '-Htln', `sport = :${hostPort}`]);
    if (!ctx.dry && listening.exitCode === 0 && listening.stdout.trim() !== '') {
      throw new AppError(
        'CONFLICT',
        `Port ${hostPort} of the lab host is taken by another program, so HAProxy cannot listen there for lab ${plan.name}.`,
        {
          fix: `Stop the program that listens there ("sudo ss -ltnp 'sport = :${hostPort}'" names it), then resume the lab.`,
        },
      );
    }
  }
  if (unitChanged) {
    await ctx.host(writeFileArgv(HAPROXY_UNIT_PATH, '0644', HAPROXY_UNIT), { root: true, stdin: HAPROXY_UNIT, stdinLabel: '<unit file>' });
    await ctx.host(systemctl('daemon-reload'), { root: true });
  }
  if (configChanged) {
    const candidate = `${path}.new`;
    await ctx.host(writeFileArgv(candidate, '0644', config), { root: true, stdin: config, stdinLabel: `<${plan.name}.cfg>` });
    try {
      await ctx.host([HAPROXY, '-c', '-f', candidate], { root: true });
    } catch (error) {
      await ctx.observeHost(['rm', '-f', '--', candidate], { root: true });
      throw new AppError('PROGRAM_FAILED', `HAProxy refused the configuration of lab ${plan.name}: ${AppError.from(error).message}`, {
        fix: "The running configuration was left as it was. Check the plan's API endpoint address and host port, then resume.",
      });
    }
    await ctx.host(['mv', '-f', '--', candidate, path], { root: true });
  }
  await ctx.host(active ? systemctl('reload', unit) : systemctl('enable', '--now', unit), { root: true, timeoutMs: 60_000 });
  return done(active ? 'Configuration reloaded.' : `${unit} started and enabled.`);
}

/** Stop and disable the lab's HAProxy instance and remove its configuration (the template unit stays for other labs). */
export async function removeLoadBalancer(ctx: StepContext): Promise<StepOutcome> {
  const unit = haproxyUnitOf(ctx.plan.name);
  const path = haproxyConfigPath(ctx.plan.name);
  const present = (await ctx.observeHost(['test', '-e', path], { root: true })).exitCode === 0;
  const enabled = (await ctx.observeHost(systemctl('is-enabled', '--quiet', unit), { root: true })).exitCode === 0;
  const active = (await ctx.observeHost(systemctl('is-active', '--quiet', unit), { root: true })).exitCode === 0;
  if (!present && !enabled && !active) return skipped('The lab has no HAProxy instance.');
  if (enabled || active) await ctx.host(systemctl('disable', '--now', unit), { root: true, timeoutMs: 60_000 });
  await ctx.host(['rm', '-f', '--', path, `${path}.new`], { root: true });
  return done();
}
