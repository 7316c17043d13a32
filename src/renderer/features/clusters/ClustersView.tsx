import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Banner } from '../../components/Banner';
import { EmptyState } from '../../components/EmptyState';
import { useAppStore } from '../../store/store-context';
import { ContextCard } from './ContextCard';
import { ImportPanel } from './ImportPanel';
import { CredentialsBanner } from './LostCredentials';
import { NodesPanel } from './NodesPanel';
import './clusters.css';

/** Every imported context with its health, the import, and the active context's nodes. */
export function ClustersView() {
  const { clusters, error } = useAppStore(useShallow((state) => ({ clusters: state.clusters, error: state.clustersError })));
  const loadClusters = useAppStore((state) => state.loadClusters);
  const loadDefaults = useAppStore((state) => state.loadDefaultKubeconfig);
  const refreshAll = useAppStore((state) => state.refreshAllContexts);

  // Loaded again whenever the link to the main process (re)opens: the view can mount before it does.
  const connected = useAppStore((state) => state.connection.status === 'connected');
  useEffect(() => {
    if (!connected) return;
    void loadClusters();
    void loadDefaults();
  }, [connected, loadClusters, loadDefaults]);

  const contexts = clusters?.contexts ?? [];
  const active = contexts.find((context) => context.name === clusters?.activeContext);
  const checking = contexts.some((context) => context.health.checking);
  return (
    <div className="clusters">
      {error && <Banner tone="error">{error.message}</Banner>}
      <CredentialsBanner contexts={contexts} />
      <ImportPanel />
      <section className="clusters-contexts" aria-labelledby="contexts-heading">
        <div className="section-header">
          <h2 id="contexts-heading">Contexts</h2>
          {contexts.length > 0 && (
            <button type="button" className="button" disabled={checking} onClick={() => void refreshAll()}>
              {checking ? 'Checking…' : 'Refresh all'}
            </button>
          )}
        </div>
        {clusters === undefined ? (
          <p className="muted">Loading contexts…</p>
        ) : contexts.length === 0 ? (
          <EmptyState icon="clusters" title="No clusters yet">
            <p className="muted">Import a kubeconfig above. Its contexts show here with reachability, version, nodes and who you are.</p>
            <p className="empty-state-hint">
              For a simulated lab to try things on, run <code>npm run lab:sim</code> and import the kubeconfig it prints.
            </p>
          </EmptyState>
        ) : (
          <ul className="card-list">
            {contexts.map((context) => (
              <ContextCard key={context.name} context={context} active={context.name === clusters.activeContext} />
            ))}
          </ul>
        )}
      </section>
      {active && <NodesPanel context={active} />}
    </div>
  );
}
