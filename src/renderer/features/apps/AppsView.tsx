import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Banner } from '../../components/Banner';
import { ContextPicker } from '../../components/ContextPicker';
import { EmptyState } from '../../components/EmptyState';
import { useAppStore } from '../../store/store-context';
import { CatalogCard } from './CatalogCard';
import { InstanceCard } from './InstanceCard';
import { YamlPanel } from './YamlPanel';
import './apps.css';

/** The catalog, the installed apps of the chosen context (the active one by default) with their sliders, and custom YAML. */
export function AppsView() {
  const active = useAppStore((state) => state.clusters?.activeContext);
  const contextNames = useAppStore(useShallow((state) => (state.clusters?.contexts ?? []).map((c) => c.name)));
  // The cluster to deploy to: the active context unless the user picks another here.
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const context = picked !== undefined && contextNames.includes(picked) ? picked : active;
  const { catalog, error } = useAppStore(useShallow((state) => ({ catalog: state.appsCatalog, error: state.appsError })));
  const instanceKeys = useAppStore(
    useShallow((state) =>
      Object.keys(state.appInstances)
        .filter((key) => state.appInstances[key]?.context === context)
        .sort(),
    ),
  );
  const loadCatalog = useAppStore((state) => state.loadAppsCatalog);
  const loadInstances = useAppStore((state) => state.loadAppInstances);
  const dismissError = useAppStore((state) => state.dismissAppsError);
  const connected = useAppStore((state) => state.connection.status === 'connected');

  useEffect(() => {
    if (connected) void loadCatalog();
  }, [connected, loadCatalog]);
  useEffect(() => {
    if (connected && context !== undefined) void loadInstances(context);
  }, [connected, context, loadInstances]);

  return (
    <div className="apps">
      {error && (
        <Banner tone="error" onDismiss={dismissError}>
          {error.message}
        </Banner>
      )}
      {context === undefined ? (
        <EmptyState icon="clusters" title="No cluster chosen">
          <p className="muted">Import a kubeconfig in the Clusters view and pick a context: apps are deployed to the active context.</p>
        </EmptyState>
      ) : (
        <div className="field">
          <label htmlFor="apps-context">Cluster</label>
          <ContextPicker id="apps-context" className="apps-context" value={context} onChange={setPicked} />
        </div>
      )}
      <section aria-labelledby="installed-heading" className="apps-section">
        <h2 id="installed-heading">Installed</h2>
        {instanceKeys.length === 0 ? (
          <p className="muted">No app from the catalog is installed in this context yet.</p>
        ) : (
          <ul className="card-list">
            {instanceKeys.map((key) => (
              <InstanceCard key={key} instanceKey={key} />
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="catalog-heading" className="apps-section">
        <h2 id="catalog-heading">Catalog</h2>
        {catalog === undefined ? (
          <p className="muted">Loading the catalog…</p>
        ) : (
          <>
            {catalog.problems.map((problem) => (
              <Banner key={problem.app} tone="warning">
                Catalog app <strong>{problem.app}</strong> was left out: {problem.message}
              </Banner>
            ))}
            <ul className="card-list">
              {catalog.apps.map((app) => (
                <CatalogCard key={app.id} app={app} context={context} />
              ))}
            </ul>
          </>
        )}
      </section>
      {context !== undefined && <YamlPanel context={context} />}
    </div>
  );
}
