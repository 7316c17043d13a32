import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Banner } from '../../components/Banner';
import { EmptyState } from '../../components/EmptyState';
import { Icon } from '../../components/Icon';
import { useAppStore } from '../../store/store-context';
import { viewCatalog } from '../../app/view-catalog';
import { describeExit } from './exit-text';
import { NewTerminalForm } from './NewTerminalForm';
import { TerminalPane } from './TerminalPane';
import './terminals.css';

/** Terminal tabs: local shells bound to a context, SSH to lab hosts, pod exec. */
export function TerminalsView() {
  const terminals = useAppStore(useShallow((state) => state.terminals));
  const activeId = useAppStore((state) => state.activeTerminalId);
  const error = useAppStore((state) => state.terminalError);
  const connected = useAppStore((state) => state.connection.status === 'connected');
  const { selectTerminal, closeTerminal, dismissTerminalError, loadTerminals } = useAppStore(
    useShallow((state) => ({
      selectTerminal: state.selectTerminal,
      closeTerminal: state.closeTerminal,
      dismissTerminalError: state.dismissTerminalError,
      loadTerminals: state.loadTerminals,
    })),
  );

  useEffect(() => {
    if (connected) void loadTerminals();
  }, [connected, loadTerminals]);

  const coming = viewCatalog.terminals.coming;
  return (
    <div className="terminals-view">
      {error && (
        <Banner tone="error" onDismiss={dismissTerminalError}>
          {error.message}
        </Banner>
      )}
      <NewTerminalForm />
      {terminals.length === 0 ? (
        <EmptyState icon="terminals" title={coming?.title ?? 'No terminals open'}>
          <ul className="empty-state-points">
            {coming?.points.map((point) => (
              <li key={point}>{point}</li>
            ))}
          </ul>
          {coming?.hint && <p className="empty-state-hint">{coming.hint}</p>}
        </EmptyState>
      ) : (
        <>
          <div className="terminal-tabs" role="tablist" aria-label="Terminals">
            {terminals.map((tab) => (
              <div key={tab.id} className={tab.id === activeId ? 'terminal-tab terminal-tab-active' : 'terminal-tab'}>
                <button
                  type="button"
                  role="tab"
                  aria-selected={tab.id === activeId}
                  title={tab.state === 'exited' ? describeExit(tab.exit) : tab.title}
                  onClick={() => selectTerminal(tab.id)}
                >
                  {tab.title}
                  {tab.state === 'exited' && <span className="terminal-tab-ended"> (ended)</span>}
                </button>
                <button type="button" className="icon-button" aria-label={`Close ${tab.title}`} onClick={() => void closeTerminal(tab.id)}>
                  <Icon name="close" size={14} />
                </button>
              </div>
            ))}
          </div>
          <div className="terminal-panes">
            {terminals.map((tab) => (
              <TerminalPane key={tab.id} info={tab} active={tab.id === activeId} />
            ))}
          </div>
        </>
      )}
    </div>
  );
}
