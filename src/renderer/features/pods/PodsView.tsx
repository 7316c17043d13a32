import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { PodSummary } from '../../../shared/contract';
import { Banner } from '../../components/Banner';
import { ContextPicker } from '../../components/ContextPicker';
import { EmptyState } from '../../components/EmptyState';
import { useAppStore } from '../../store/store-context';
import { ForwardForm } from './ForwardForm';
import { ForwardsPanel } from './ForwardsPanel';
import { LogsView } from './LogsView';
import { ObjectPanel } from './ObjectPanel';
import { PodsTable } from './PodsTable';
import './pods.css';

/** Pods of a context and namespace, with Logs, Events, Details, Exec and Forward per pod; below, the open logs and panels. */
export function PodsView() {
  const active = useAppStore((state) => state.clusters?.activeContext);
  const { picked, namespace, podList, error } = useAppStore(
    useShallow((state) => ({ picked: state.podsContext, namespace: state.podsNamespace, podList: state.podList, error: state.podsError })),
  );
  const { setScope, loadPods, stopFollowingPods, loadForwards, dismissError } = useAppStore(
    useShallow((state) => ({
      setScope: state.setPodsScope,
      loadPods: state.loadPods,
      stopFollowingPods: state.stopFollowingPods,
      loadForwards: state.loadForwards,
      dismissError: state.dismissPodsError,
    })),
  );
  const connected = useAppStore((state) => state.connection.status === 'connected');
  const context = picked ?? active;
  const [namespaceField, setNamespaceField] = useState(namespace);
  const [forwarding, setForwarding] = useState<PodSummary | undefined>(undefined);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => setNamespaceField(namespace), [namespace]);
  useEffect(() => {
    if (connected) void loadForwards();
  }, [connected, loadForwards]);
  useEffect(() => {
    if (!connected || context === undefined) return;
    void loadPods().then(() => setNow(Date.now()));
    // The list follows the cluster while the view is open.
    return () => stopFollowingPods();
  }, [connected, context, namespace, loadPods, stopFollowingPods]);

  const pods = podList.state === 'idle' ? [] : podList.pods;
  return (
    <div className="pods-view">
      {error && (
        <Banner tone="error" onDismiss={dismissError}>
          {error.message}
        </Banner>
      )}
      {context === undefined ? (
        <EmptyState icon="clusters" title="No cluster chosen">
          <p className="muted">Import a kubeconfig in the Clusters view and pick a context to see its pods.</p>
        </EmptyState>
      ) : (
        <form
          className="toolbar-form"
          aria-label="Which pods"
          onSubmit={(event) => {
            event.preventDefault();
            if (namespaceField.trim() === namespace) void loadPods().then(() => setNow(Date.now()));
            else setScope({ namespace: namespaceField.trim() });
          }}
        >
          <label>
            Cluster
            <ContextPicker value={context} onChange={(name) => setScope({ context: name })} />
          </label>
          <label>
            Namespace (empty: all)
            <input value={namespaceField} onChange={(event) => setNamespaceField(event.target.value)} />
          </label>
          <button type="submit" className="button">
            {podList.state === 'loading' ? 'Loading…' : 'Show pods'}
          </button>
        </form>
      )}
      {podList.state === 'failed' && <Banner tone="error">{podList.error.message}</Banner>}
      {podList.state === 'loaded' && podList.followError && (
        <Banner tone="warning">The list may be behind: following its changes failed and is retried. {podList.followError.message}</Banner>
      )}
      {context !== undefined && podList.state !== 'idle' && (
        <section aria-labelledby="pods-heading">
          <h2 id="pods-heading">
            Pods <span className="muted">({pods.length.toLocaleString('en-US')})</span>
          </h2>
          {pods.length === 0 && podList.state === 'loading' ? (
            <p className="muted">Loading…</p>
          ) : (
            <PodsTable context={context} pods={pods} now={now} onForward={setForwarding} />
          )}
        </section>
      )}
      {forwarding && context !== undefined && (
        <ForwardForm
          key={`${forwarding.namespace}/${forwarding.name}`}
          target={{ context, namespace: forwarding.namespace, kind: 'pod', name: forwarding.name }}
          ports={forwarding.ports}
          onDone={() => setForwarding(undefined)}
        />
      )}
      <ForwardsPanel />
      <ObjectPanel />
      <LogsView />
    </div>
  );
}
