/** What a context's status badge says: always text, colour only repeats it. */
import type { ClusterContext, HostSummary, LabSummary, NodeCounts } from '../../../shared/contract';
import type { SerializedError } from '../../../shared/errors';
import type { StatusTone } from '../../components/StatusBadge';

export interface ContextStatus {
  label: string;
  tone: StatusTone;
}

const failureLabels: Partial<Record<SerializedError['code'], string>> = {
  UNREACHABLE: 'Unreachable',
  TIMEOUT: 'Timed out',
  TLS_UNKNOWN_AUTHORITY: 'Untrusted certificate',
  TLS_NAME_MISMATCH: 'Certificate name mismatch',
  TLS_CERT_EXPIRED: 'Certificate expired',
  UNAUTHORIZED: 'Credentials refused',
  FORBIDDEN: 'Forbidden',
  APPROVAL_REQUIRED: 'Needs approval',
  CONFIRMATION_REQUIRED: 'Server not confirmed',
  PROGRAM_MISSING: 'Plugin missing',
  PROGRAM_FAILED: 'Plugin failed',
  FILE_IO: 'File missing',
  SECRET_STORAGE_UNAVAILABLE: 'Credentials lost',
};

export function contextStatus(context: ClusterContext): ContextStatus {
  const result = context.health.result;
  if (result === undefined)
    return context.health.checking ? { label: 'Checking…', tone: 'busy' } : { label: 'Not checked', tone: 'neutral' };
  if (result.ok) return { label: context.health.checking ? 'Reachable · checking' : 'Reachable', tone: 'ok' };
  const label = failureLabels[result.error.code] ?? 'Failed';
  return { label, tone: result.error.code === 'APPROVAL_REQUIRED' ? 'warn' : 'bad' };
}

export function describeNodes(nodes: NodeCounts): string {
  const parts = [`${nodes.linux} Linux`, `${nodes.windows} Windows`];
  if (nodes.other > 0) parts.push(`${nodes.other} other`);
  return `${nodes.total} ${nodes.total === 1 ? 'node' : 'nodes'} (${parts.join(', ')}), ${nodes.ready} ready`;
}

/** Cause and fix of a diagnosis, from details (the UI never parses messages). */
export function diagnosisParts(error: SerializedError): { cause: string; fix?: string } {
  const cause = typeof error.details?.cause === 'string' ? error.details.cause : error.message;
  const fix = typeof error.details?.fix === 'string' ? error.details.fix : undefined;
  return fix === undefined ? { cause } : { cause, fix };
}

/**
 * How this computer reaches a context that a lab saved, when that is not the plain server the
 * kubeconfig names: through Nestlab's SSH tunnel via the lab host, which works only while Nestlab
 * runs. undefined for every other context.
 */
export function labTunnelNote(
  contextName: string,
  labs: readonly Pick<LabSummary, 'name' | 'hostId' | 'context' | 'endpointAccess'>[] | undefined,
  hosts: readonly Pick<HostSummary, 'id' | 'name'>[] | undefined,
): { label: string; detail: string } | undefined {
  const lab = labs?.find((candidate) => candidate.context === contextName);
  const access = lab?.endpointAccess;
  if (lab === undefined || access?.mode !== 'tunnel') return undefined;
  const host = hosts?.find((candidate) => candidate.id === lab.hostId)?.name ?? 'the lab host';
  const detail =
    `Lab ${lab.name}: ${access.server} is Nestlab's SSH tunnel via ${host} to ${access.target} in the lab network. ` +
    'kubectl outside Nestlab reaches it only while Nestlab runs; open the API port on the host and resume the lab to use it directly.';
  return {
    label: `via SSH tunnel (${host})`,
    detail: access.problem === undefined ? detail : `${detail} Not serving now: ${access.problem}`,
  };
}
