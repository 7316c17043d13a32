import { useEffect, useRef } from 'react';
import { Banner } from '../components/Banner';
import { AppsView } from '../features/apps/AppsView';
import { ClustersView } from '../features/clusters/ClustersView';
import { HostsView } from '../features/hosts/HostsView';
import { LabsView } from '../features/labs/LabsView';
import { PodsView } from '../features/pods/PodsView';
import { SettingsView } from '../features/settings/SettingsView';
import { TopologyView } from '../features/topology/TopologyView';
import { ComingView } from '../features/placeholders/ComingView';
import { PersistentTerminals } from '../features/terminals/PersistentTerminals';
import { useAppStore } from '../store/store-context';
import { ErrorBoundary } from './ErrorBoundary';
import { Sidebar } from './Sidebar';
import { StatusBar } from './StatusBar';
import { useTheme } from './use-theme';
import { useViewShortcuts } from './use-view-shortcuts';
import { viewCatalog } from './view-catalog';

export function App() {
  const view = useAppStore((state) => state.view);
  const navigate = useAppStore((state) => state.navigate);
  const connection = useAppStore((state) => state.connection);
  const theme = useAppStore((state) => state.settings?.values.theme ?? 'system');
  const loadProblem = useAppStore((state) => (state.dismissedLoadProblem ? undefined : state.settings?.loadProblem));
  const dismissLoadProblem = useAppStore((state) => state.dismissLoadProblem);
  const heading = useRef<HTMLHeadingElement>(null);
  useTheme(theme);
  useViewShortcuts(navigate);

  // Moving to a view moves focus to its heading, so keyboard and screen-reader users land there.
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    heading.current?.focus();
  }, [view]);

  const description = viewCatalog[view];
  return (
    <div className="shell">
      <a
        className="skip-link"
        href="#main-content"
        onClick={(event) => {
          event.preventDefault();
          heading.current?.focus();
        }}
      >
        Skip to content
      </a>
      <Sidebar />
      <main className="content" id="main-content">
        {connection.status === 'refused' && (
          <Banner tone="error">
            <strong>Nestlab refused this page.</strong> {connection.message}
          </Banner>
        )}
        {loadProblem && (
          <Banner tone="warning" onDismiss={dismissLoadProblem}>
            {loadProblem.message}
          </Banner>
        )}
        <header className="view-header">
          <h1 ref={heading} tabIndex={-1}>
            {description.label}
          </h1>
          <p className="muted">{description.summary}</p>
        </header>
        <ErrorBoundary resetKey={view}>
          {view === 'topology' ? (
            <TopologyView />
          ) : view === 'settings' ? (
            <SettingsView />
          ) : view === 'clusters' ? (
            <ClustersView />
          ) : view === 'hosts' ? (
            <HostsView />
          ) : view === 'labs' ? (
            <LabsView />
          ) : view === 'apps' ? (
            <AppsView />
          ) : view === 'pods' ? (
            <PodsView />
          ) : view === 'terminals' ? null : (
            <ComingView view={description} />
          )}
        </ErrorBoundary>
        <PersistentTerminals visible={view === 'terminals'} />
      </main>
      <StatusBar />
    </div>
  );
}
