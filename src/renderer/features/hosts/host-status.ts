/** What the hosts view says about a host's connection and preflight, in words (never colour alone). */
import type { CheckStatus, ConnectionStateChange, HostSummary, ProbeProgress } from '../../../shared/contract';
import type { StatusLabel } from '../../components/StatusBadge';
import type { HostCheck } from './hosts-slice';

/**
 * The host's state: a test in flight or its result wins over the live connection state, since it
 * is what the user just asked for; then the connection events; then whether a key is accepted.
 */
export function hostStatus(host: HostSummary, check: HostCheck | undefined, connection: ConnectionStateChange | undefined): StatusLabel {
  if (check?.status === 'testing') return { label: 'Testing connection…', tone: 'busy', icon: 'info' };
  if (connection?.state === 'connecting') return { label: 'Connecting…', tone: 'busy', icon: 'info' };
  if (connection?.state === 'reconnecting') {
    const seconds = connection.retryInMs === undefined ? undefined : Math.ceil(connection.retryInMs / 1000);
    return { label: seconds === undefined ? 'Reconnecting…' : `Reconnecting in ${seconds} s`, tone: 'warn', icon: 'alert' };
  }
  if (check?.status === 'done') {
    if (check.result.ok) return { label: 'Connected', tone: 'ok', icon: 'check' };
    return failureStatus(check.result.error.code);
  }
  if (connection?.state === 'ready') return { label: 'Connected', tone: 'ok', icon: 'check' };
  if (connection?.error) return failureStatus(connection.error.code);
  if (host.hostKey === undefined) return { label: 'Host key not accepted yet', tone: 'neutral', icon: 'info' };
  return { label: 'Not connected', tone: 'neutral', icon: 'info' };
}

function failureStatus(code: string): StatusLabel {
  switch (code) {
    case 'HOST_KEY_UNKNOWN':
      return { label: 'Host key not accepted yet', tone: 'warn', icon: 'alert' };
    case 'HOST_KEY_CHANGED':
      return { label: 'Refused: host key changed', tone: 'bad', icon: 'alert' };
    case 'HOST_KEY_STORE_CORRUPT':
      return { label: 'Refused: host-key store unreadable', tone: 'bad', icon: 'alert' };
    case 'SSH_AUTH_FAILED':
      return { label: 'Sign-in refused', tone: 'bad', icon: 'alert' };
    case 'UNREACHABLE':
      return { label: 'Unreachable', tone: 'bad', icon: 'alert' };
    case 'SSH_HANDSHAKE_FAILED':
      return { label: 'No SSH handshake', tone: 'bad', icon: 'alert' };
    case 'SECRET_STORAGE_UNAVAILABLE':
      return { label: 'Saved secret unavailable', tone: 'bad', icon: 'alert' };
    default:
      return { label: 'Connection failed', tone: 'bad', icon: 'alert' };
  }
}

export function checkStatusLabel(status: CheckStatus): StatusLabel {
  switch (status) {
    case 'pass':
      return { label: 'Pass', tone: 'ok', icon: 'check' };
    case 'warn':
      return { label: 'Warning', tone: 'warn', icon: 'alert' };
    case 'fail':
      return { label: 'Fail', tone: 'bad', icon: 'alert' };
  }
}

/** Probe phases as steps of a progress indicator. */
export const probeSteps: { phase: ProbeProgress['phase']; label: string }[] = [
  { phase: 'connecting', label: 'Connecting' },
  { phase: 'probing', label: 'Reading the host' },
  { phase: 'evaluating', label: 'Grading' },
];

/** 0..1 for a progress bar; connecting is the first third. */
export function probeFraction(phase: ProbeProgress['phase']): number {
  const index = probeSteps.findIndex((step) => step.phase === phase);
  return index < 0 ? 1 : (index + 1) / (probeSteps.length + 1);
}

export function authLabel(host: HostSummary): string {
  switch (host.auth.kind) {
    case 'agent':
      return 'ssh-agent';
    case 'keyFile':
      return `key file ${host.auth.keyPath ?? ''}${host.hasPassphrase ? ' (passphrase saved)' : ''}`;
    case 'pastedKey':
      return `pasted key (saved)${host.hasPassphrase ? ', passphrase saved' : ''}`;
    case 'password':
      return host.hasPassword ? 'password (saved)' : 'password (not saved)';
  }
}

/** "6 GiB" from MiB. */
export function formatMiB(mib: number): string {
  return mib >= 1024 ? `${Math.round((mib / 1024) * 10) / 10} GiB` : `${Math.round(mib)} MiB`;
}
