import { useEffect } from 'react';
import type { ClusterContext, ClusterNode } from '../../../shared/contract';
import type { Column } from '../../components/DataTable';
import { DataTable } from '../../components/DataTable';
import { StatusBadge } from '../../components/StatusBadge';
import { useAppStore } from '../../store/store-context';
import { ownEntry } from './clusters-slice';

const nodeColumns: Column<ClusterNode>[] = [
  { header: 'Name', cell: (node) => node.name },
  { header: 'OS', cell: (node) => (node.os === 'windows' ? 'Windows' : node.os === 'linux' ? 'Linux' : node.os) },
  { header: 'Roles', cell: (node) => (node.roles.length > 0 ? node.roles.join(', ') : <span className="muted">worker</span>) },
  { header: 'Status', cell: (node) => <StatusBadge tone={node.ready ? 'ok' : 'bad'}>{node.ready ? 'Ready' : 'Not ready'}</StatusBadge> },
  { header: 'Kubelet', cell: (node) => node.kubeletVersion },
];

/** The active context's nodes; reloaded whenever a health check of it completes. */
export function NodesPanel({ context }: { context: ClusterContext }) {
  const nodes = useAppStore((state) => ownEntry(state.nodes, context.name));
  const loadNodes = useAppStore((state) => state.loadNodes);
  const checkedAt = context.health.result?.checkedAt;
  const reachable = context.health.result?.ok === true;

  useEffect(() => {
    if (reachable) void loadNodes(context.name);
  }, [context.name, checkedAt, reachable, loadNodes]);

  return (
    <section className="card nodes-panel" aria-labelledby="nodes-heading">
      <div className="card-header">
        <h2 id="nodes-heading">Nodes of {context.name}</h2>
      </div>
      {!reachable && <p className="muted">The nodes show once the cluster is reachable.</p>}
      {reachable && nodes?.status === 'loading' && <p className="muted">Loading nodes…</p>}
      {reachable && nodes?.status === 'failed' && <p className="field-error">{nodes.error.message}</p>}
      {reachable && nodes?.status === 'loaded' && (
        <DataTable
          caption={`Nodes of ${context.name}`}
          columns={nodeColumns}
          rows={nodes.nodes}
          rowKey={(node) => node.name}
          empty="No nodes have joined this cluster."
        />
      )}
    </section>
  );
}
