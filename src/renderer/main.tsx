import './zod-jitless';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connect } from './api/connect';
// The shared look first: each view's stylesheet, imported by the view, builds on it.
import './styles/app.css';
import './styles/building-blocks.css';
import { App } from './app/App';
import { createAppStore } from './store/app-store';
import { StoreProvider } from './store/store-context';

const connection = connect();
const store = createAppStore({ api: connection.api });

// Fetch what the shell shows every time the link to the main process (re)opens.
const onState = () => {
  const state = connection.state();
  store.getState().setConnection(state);
  if (state.status === 'connected') {
    void store.getState().loadSettings();
    void store.getState().loadSystemInfo();
    void store.getState().loadClusters();
    void store.getState().loadHosts();
    void store.getState().loadLabs();
    void store.getState().loadBlueGreenPairs();
    const openLab = store.getState().openLab;
    if (openLab) void store.getState().loadLabLogs(openLab);
    // A reconnect may have missed deltas: reload the open topology.
    const topologyContext = store.getState().topology.context;
    if (topologyContext) void store.getState().openTopology(topologyContext);
  }
};
connection.onDidChangeState(onState);
// Each slice subscribes to its own domain's events where the store creates it (store/app-store.ts).
onState();
connection.start();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
