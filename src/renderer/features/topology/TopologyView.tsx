import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Banner } from '../../components/Banner';
import { EmptyState } from '../../components/EmptyState';
import { useAppStore } from '../../store/store-context';
import { TopologyDetails } from './TopologyDetails';
import { TopologyMap } from './TopologyMap';
import { describeState, describeTroubled } from './watch-words';
import './topology.css';

/** The Topology view: pick a context, filter, and the live map with its details panel. */
export function TopologyView() {
  const topology = useAppStore((state) => state.topology);
  const activeContext = useAppStore((state) => state.clusters?.activeContext);
  const actions = useAppStore(
    useShallow((state) => ({
      loadContexts: state.loadTopologyContexts,
      open: state.openTopology,
      setFilter: state.setTopologyFilter,
      toggle: state.toggleTopologyGroup,
      select: state.selectTopologyNode,
      keepPlaces: state.keepTopologyPlaces,
    })),
  );
  const { loadContexts, open } = actions;

  useEffect(() => {
    void loadContexts();
  }, [loadContexts, activeContext]);
  // Follow the active context of the Clusters view until the user picks one here.
  useEffect(() => {
    if (!topology.context && activeContext) void open(activeContext);
  }, [topology.context, activeContext, open]);

  const contexts = [...new Set([...topology.contexts, ...(topology.context ? [topology.context] : [])])];
  const { counts, view, namespaces, layoutRuns, placement, fitGeneration, refinements } = topology.output;
  const reading = topology.phase === 'loading' && view.nodes.length === 0;
  const troubled = topology.status?.kinds.filter((kind) => kind.state === 'retrying' || kind.state === 'forbidden') ?? [];
  return (
    <section className="topology-view" aria-label="Topology">
      <div className="topology-toolbar" role="toolbar" aria-label="Map controls">
        <label>
          Context{' '}
          <select value={topology.context ?? ''} onChange={(event) => void open(event.target.value)} aria-label="Context">
            {!topology.context && <option value="">Choose a context</option>}
            {contexts.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Namespace{' '}
          <select
            aria-label="Namespace"
            value={topology.filter.namespaces[0] ?? ''}
            onChange={(event) => actions.setFilter({ namespaces: event.target.value ? [event.target.value] : [] })}
          >
            <option value="">All namespaces</option>
            {namespaces.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <input
          type="search"
          aria-label="Search by name"
          placeholder="Search by name"
          value={topology.filter.search}
          onChange={(event) => actions.setFilter({ search: event.target.value })}
        />
        {/* No counts before the first snapshot: "0 nodes · 0 pods" would read as an empty cluster. */}
        {topology.context && !reading && (
          <span className="topology-counts" data-testid="topology-counts">
            {counts.nodes} nodes · {counts.pods} pods
          </span>
        )}
        {topology.status && (
          <span className={`topology-live topology-live-${topology.status.state}`} role="status" data-testid="topology-state">
            {describeState(topology.status, !reading)}
          </span>
        )}
      </div>
      {topology.phase === 'failed' && topology.error && (
        <Banner tone="error">
          <strong>The map could not be loaded.</strong> {topology.error.message}
        </Banner>
      )}
      {topology.status?.error ? (
        <Banner tone="warning">{topology.status.error.message} The map shows what was last seen.</Banner>
      ) : (
        troubled.length > 0 && (
          <Banner tone="warning">Reconnecting to the API server: {describeTroubled(troubled)}. The map shows what was last seen.</Banner>
        )
      )}
      {!topology.context ? (
        <EmptyState icon="topology" title="No cluster chosen">
          <p>Import a kubeconfig in the Clusters view, or pick a context above.</p>
        </EmptyState>
      ) : (
        <div className="topology-body">
          <div className="topology-canvas" data-testid="topology-map" data-layout-runs={layoutRuns} data-placement={placement}>
            {reading ? (
              <p className="muted topology-loading">Reading {topology.context}…</p>
            ) : (
              <TopologyMap
                view={view}
                onSelect={(node) => void actions.select(node)}
                onToggle={actions.toggle}
                onUserMove={actions.keepPlaces}
                fitKey={`${topology.context}:${fitGeneration}`}
                refineKey={refinements}
              />
            )}
          </div>
          {topology.details && (
            <TopologyDetails details={topology.details} onClose={() => void actions.select(undefined)} onToggle={actions.toggle} />
          )}
        </div>
      )}
      <p className="muted topology-hint">
        Double-click a workload to show or hide its pods, a node pool or namespace to open or fold it. Scroll to zoom, drag to pan.
      </p>
    </section>
  );
}
