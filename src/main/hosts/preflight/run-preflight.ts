import { requireSuccess, runScript } from '../remote-command';
import { runPowerShellJson } from '../powershell';
import type { CommandExecutor } from '../ssh-connection';
import { evaluateLinuxFacts } from './linux-checks';
import { defaultStoragePath, linuxProbeScript, parseLinuxFacts } from './linux-probe';
import { defaultThresholds } from './preflight-types';
import type { PreflightReport, PreflightThresholds } from './preflight-types';
import { evaluateWindowsFacts } from './windows-checks';
import { parseWindowsFacts, windowsProbeScript } from './windows-probe';

/** Options for one preflight probe. */
export interface ProbeOptions {
  /** Linux: where VM disks go. Default /var/lib/libvirt/images. */
  storagePath?: string;
  thresholds?: PreflightThresholds;
  /** Limit for the probe command itself (connecting is limited separately). Default 60 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Probe a host with one command on one connection (the probe script over stdin) and evaluate
 * the facts. The storage path is passed as an argument ($1), never spliced into the script.
 */
export async function probeHost(executor: CommandExecutor, os: 'linux' | 'windows', options: ProbeOptions = {}): Promise<PreflightReport> {
  const exec = { timeoutMs: options.timeoutMs ?? 60_000, ...(options.signal === undefined ? {} : { signal: options.signal }) };
  const thresholds = options.thresholds ?? defaultThresholds;
  if (os === 'windows') {
    return evaluateWindowsFacts(parseWindowsFacts(await runPowerShellJson(executor, windowsProbeScript, exec)), thresholds);
  }
  const result = await runScript(executor, linuxProbeScript, { ...exec, args: [options.storagePath ?? defaultStoragePath] });
  return evaluateLinuxFacts(parseLinuxFacts(requireSuccess(result, 'The preflight probe').stdout), thresholds);
}
