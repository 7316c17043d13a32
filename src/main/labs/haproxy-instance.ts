/**
 * HAProxy instances on a lab host: one per purpose (a lab's API endpoint, a blue/green front
 * door), each its own process of the one template unit with its own configuration file, so
 * changing or removing one never reloads another. Every configuration is checked with
 * `haproxy -c` before it replaces the running one; a refused one leaves the running one as it was.
 * The unit runs HAProxy in master-worker mode, so a reload hands the listening sockets to the new
 * worker and the old one finishes its connections: no connection is refused during a reload.
 */
import { AppError } from '../../shared/errors';
import type { ExecResult } from '../hosts/ssh-connection';
import { writeFileArgv } from './remote-file';
import type { CommandOptions } from './step-context';

export const HAPROXY = '/usr/sbin/haproxy';
export const HAPROXY_UNIT_PATH = '/etc/systemd/system/nestlab-haproxy@.service';
export const HAPROXY_CONFIG_DIR = '/etc/haproxy/nestlab';

/** What the HAProxy functions need of a lab host: a step's context, or the hosts service behind the same shape. */
export interface HaproxyHost {
  readonly dry: boolean;
  /** Throws PROGRAM_FAILED on a non-zero exit. */
  host(argv: readonly string[], options?: CommandOptions): Promise<ExecResult>;
  /** Never throws for a non-zero exit. */
  observeHost(argv: readonly string[], options?: CommandOptions): Promise<ExecResult>;
}

/** What one instance serves: its name (a file name), its configuration, the host ports it binds. */
export interface HaproxyInstance {
  /** The unit's instance name and the configuration's file name: a lab name, or a name no lab can have. */
  name: string;
  config: string;
  ports: readonly number[];
  /** Who the instance is for, in words ("lab solo"), for messages. */
  owner: string;
  /** What to change when HAProxy refuses the configuration. */
  refusedFix: string;
}

export function haproxyConfigPath(instance: string): string {
  return `${HAPROXY_CONFIG_DIR}/${instance}.cfg`;
}

export function haproxyUnitOf(instance: string): string {
  return `nestlab-haproxy@${instance}.service`;
}

/**
 * One template unit for every instance, as Debian's haproxy.service runs HAProxy (master-worker,
 * systemd notify, reload = check, then USR2), with the instance's own configuration.
 * Restart=always brings an instance back if it dies, and RestartSec lets a lab network's bridge
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

const systemctl = (...args: string[]) => ['systemctl', ...args];

/** The text of a file on the host, or undefined when it is not there. */
async function hostFile(ctx: HaproxyHost, path: string): Promise<string | undefined> {
  const result = await ctx.observeHost(['cat', '--', path], { root: true });
  return result.exitCode === 0 ? result.stdout : undefined;
}

/** NOT_FOUND with the fix when the host has no HAProxy (a dry run lists the commands anyway). */
export async function requireHaproxy(ctx: HaproxyHost, purpose: string): Promise<void> {
  if ((await ctx.observeHost(['test', '-x', HAPROXY])).exitCode !== 0 && !ctx.dry) {
    throw new AppError('NOT_FOUND', `HAProxy is not installed on the lab host (${HAPROXY}); ${purpose} runs on it.`, {
      fix: 'Install Debian\'s package on the host ("sudo apt-get install -y haproxy"), then resume the lab.',
    });
  }
}

/** What ensureHaproxyInstance did. */
export type HaproxyChange = 'unchanged' | 'reloaded' | 'started';

/**
 * The instance with this configuration: the template unit, the configuration (checked with
 * `haproxy -c` before it replaces the running one), then start-and-enable or reload. Nothing
 * runs when both files are as wanted and the instance is active. A port another program holds
 * is refused before an instance that is not running yet is started.
 */
export async function ensureHaproxyInstance(ctx: HaproxyHost, instance: HaproxyInstance): Promise<HaproxyChange> {
  const unit = haproxyUnitOf(instance.name);
  const path = haproxyConfigPath(instance.name);
  const unitChanged = (await hostFile(ctx, HAPROXY_UNIT_PATH)) !== HAPROXY_UNIT;
  const configChanged = (await hostFile(ctx, path)) !== instance.config;
  const active = (await ctx.observeHost(systemctl('is-active', '--quiet', unit), { root: true })).exitCode === 0;
  if (!unitChanged && !configChanged && active) return 'unchanged';
  if (!active) {
    for (const port of instance.ports) {
      const listening = await ctx.observeHost(['ss', '-Htln', `sport = :${port}`]);
      if (!ctx.dry && listening.exitCode === 0 && listening.stdout.trim() !== '') {
        throw new AppError(
          'CONFLICT',
          `Port ${port} of the lab host is taken by another program, so HAProxy cannot listen there for ${instance.owner}.`,
          { fix: `Stop the program that listens there ("sudo ss -ltnp 'sport = :${port}'" names it), then resume the lab.` },
        );
      }
    }
  }
  if (unitChanged) {
    await ctx.host(writeFileArgv(HAPROXY_UNIT_PATH, '0644', HAPROXY_UNIT), { root: true, stdin: HAPROXY_UNIT, stdinLabel: '<unit file>' });
    await ctx.host(systemctl('daemon-reload'), { root: true });
  }
  if (configChanged) {
    const candidate = `${path}.new`;
    await ctx.host(writeFileArgv(candidate, '0644', instance.config), {
      root: true,
      stdin: instance.config,
      stdinLabel: `<${instance.name}.cfg>`,
    });
    try {
      await ctx.host([HAPROXY, '-c', '-f', candidate], { root: true });
    } catch (error) {
      await ctx.observeHost(['rm', '-f', '--', candidate], { root: true });
      throw new AppError('PROGRAM_FAILED', `HAProxy refused the configuration of ${instance.owner}: ${AppError.from(error).message}`, {
        fix: `The running configuration was left as it was. ${instance.refusedFix}`,
      });
    }
    await ctx.host(['mv', '-f', '--', candidate, path], { root: true });
  }
  await ctx.host(active ? systemctl('reload', unit) : systemctl('enable', '--now', unit), { root: true, timeoutMs: 60_000 });
  return active ? 'reloaded' : 'started';
}

/** Stop and disable an instance and remove its configuration (the template unit stays for the others). False when there was none. */
export async function removeHaproxyInstance(ctx: HaproxyHost, name: string): Promise<boolean> {
  const unit = haproxyUnitOf(name);
  const path = haproxyConfigPath(name);
  const present = (await ctx.observeHost(['test', '-e', path], { root: true })).exitCode === 0;
  const enabled = (await ctx.observeHost(systemctl('is-enabled', '--quiet', unit), { root: true })).exitCode === 0;
  const active = (await ctx.observeHost(systemctl('is-active', '--quiet', unit), { root: true })).exitCode === 0;
  if (!present && !enabled && !active) return false;
  if (enabled || active) await ctx.host(systemctl('disable', '--now', unit), { root: true, timeoutMs: 60_000 });
  await ctx.host(['rm', '-f', '--', path, `${path}.new`], { root: true });
  return true;
}
