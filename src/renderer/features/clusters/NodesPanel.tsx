import { useEffect } from 'react';
import type { ClusterContext } from '../../../shared/contract';
import { StatusBadge } from '../../components/StatusBadge';
import { useAppStore } from '../../store/store-context';
import { ownEntry } from './clusters-slice';

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
        <table className="data-table" aria-label={`Nodes of ${context.name}`}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">OS</th>
              <th scope="col">Roles</th>
              <th scope="col">Status</th>
              <th scope="col">Kubelet</th>
            </tr>
          </thead>
          <tbody>
            {nodes.nodes.map((node) => (
              <tr key={node.name}>
                <td>{node.name}</td>
                <td>{node.os === 'windows' ? 'Windows' : node.os === 'linux' ? 'Linux' : node.os}</td>
                <td>{node.roles.length > 0 ? node.roles.join(', ') : <span className="muted">worker</span>}</td>
                <td>
                  <StatusBadge tone={node.ready ? 'ok' : 'bad'}>{node.ready ? 'Ready' : 'Not ready'}</StatusBadge>
                </td>
                <td>{node.kubeletVersion}</td>
              </tr>
            ))}
            {nodes.nodes.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  No nodes have joined this cluster.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}
