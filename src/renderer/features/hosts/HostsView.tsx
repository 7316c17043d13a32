import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { HostSummary, SecretStorageInfo } from '../../../shared/contract';
import { Banner } from '../../components/Banner';
import { EmptyState } from '../../components/EmptyState';
import { useAppStore } from '../../store/store-context';
import { initialTerminalSize } from '../terminals/NewTerminalForm';
import { HostCard } from './HostCard';
import { HostFormDialog } from './HostFormDialog';
import { HostKeyDialog } from './HostKeyDialog';
import { RemoveHostDialog } from './RemoveHostDialog';
import './hosts.css';

type Editing = { mode: 'add' } | { mode: 'edit'; host: HostSummary } | undefined;

/** Lab hosts: the inventory with connection state, add/edit, host-key trust, preflight. */
export function HostsView() {
  const { hosts, error, secretStorage, checks, connections, probes, prompt } = useAppStore(
    useShallow((state) => ({
      hosts: state.hosts,
      error: state.hostsError,
      secretStorage: state.secretStorage,
      checks: state.hostChecks,
      connections: state.connections,
      probes: state.probes,
      prompt: state.hostKeyPrompt,
    })),
  );
  const loadHosts = useAppStore((state) => state.loadHosts);
  const dismissError = useAppStore((state) => state.dismissHostsError);
  const openTerminal = useAppStore((state) => state.openTerminal);
  const navigate = useAppStore((state) => state.navigate);
  const [editing, setEditing] = useState<Editing>();
  const [removing, setRemoving] = useState<HostSummary>();

  useEffect(() => {
    void loadHosts();
  }, [loadHosts]);

  const list = hosts ?? [];
  return (
    <div className="hosts">
      {secretStorage && <SecretStorageBanner info={secretStorage} />}
      {error && (
        <Banner tone="error" onDismiss={dismissError}>
          {error.message}
        </Banner>
      )}
      <section aria-labelledby="hosts-heading">
        <div className="section-header">
          <h2 id="hosts-heading">Lab hosts</h2>
          <button type="button" className="button button-primary" onClick={() => setEditing({ mode: 'add' })}>
            Add host
          </button>
        </div>
        {hosts === undefined ? (
          <p className="muted">Loading hosts…</p>
        ) : list.length === 0 ? (
          <EmptyState icon="hosts" title="No lab hosts yet">
            <p className="muted">
              Add a Linux server with KVM/libvirt or a Windows Server with Hyper-V, by ssh-agent, key or password. Nestlab shows its host
              key fingerprint before anything runs, then a preflight says what to fix for nested labs.
            </p>
            <p>
              <button type="button" className="button button-primary" onClick={() => setEditing({ mode: 'add' })}>
                Add your first host
              </button>
            </p>
          </EmptyState>
        ) : (
          <ul className="card-list">
            {list.map((host) => (
              <HostCard
                key={host.id}
                host={host}
                hosts={list}
                check={checks[host.id]}
                connection={connections[host.id]}
                probe={probes[host.id]}
                onEdit={() => setEditing({ mode: 'edit', host })}
                onRemove={() => setRemoving(host)}
                onOpenTerminal={() => {
                  // The SSH tab uses the host's shared connection (and its accepted key) in the Terminals view.
                  navigate('terminals');
                  void openTerminal({ kind: 'ssh', hostId: host.id }, initialTerminalSize);
                }}
              />
            ))}
          </ul>
        )}
      </section>
      {editing && (
        <HostFormDialog host={editing.mode === 'edit' ? editing.host : undefined} hosts={list} onClose={() => setEditing(undefined)} />
      )}
      {removing && <RemoveHostDialog host={removing} onClose={() => setRemoving(undefined)} />}
      {prompt && !editing && <HostKeyDialog prompt={prompt} host={list.find((host) => host.id === prompt.hostId)} />}
    </div>
  );
}

function SecretStorageBanner({ info }: { info: SecretStorageInfo }) {
  if (!info.warning) return null;
  return (
    <Banner tone={info.canStore ? 'info' : 'warning'}>
      <span data-testid="secret-storage">{info.warning}</span>
    </Banner>
  );
}
