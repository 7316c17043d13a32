/**
 * What the contract shows of a lab's saved record: no operation internals (the drain limit, the
 * etcd request, a machine operation's request), copies rather than the live record, and a saved
 * SSH tunnel's problem when it does not serve now.
 */
import type { LabSummary } from '../../shared/contract/labs';
import type { LabRecord } from './lab-store';

/** `tunnelProblem`: why the lab's saved tunnel does not serve now (endpoint-access.ts). */
export function labSummary(record: LabRecord, tunnelProblem?: string): LabSummary {
  const summary: LabSummary = {
    name: record.plan.name,
    hostId: record.plan.hostId,
    status: record.status,
    plan: record.plan,
    machines: record.machines.map((machine) => ({ ...machine })),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
  if (record.context !== undefined) summary.context = record.context;
  if (record.selfHealing !== undefined) summary.selfHealing = structuredClone(record.selfHealing);
  if (record.operation !== undefined) {
    const { drainTimeoutSeconds: _drain, etcd: _etcd, node: _node, ...operation } = record.operation;
    summary.operation = structuredClone(operation);
  }
  const access = record.endpointAccess;
  if (access !== undefined) {
    summary.endpointAccess =
      access.mode === 'tunnel' && tunnelProblem !== undefined ? { ...access, problem: tunnelProblem } : { ...access };
  }
  return summary;
}
