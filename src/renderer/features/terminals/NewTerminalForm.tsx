import { useEffect, useState } from 'react';
import type { PodContainers, TerminalTarget } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { ContextPicker } from '../../components/ContextPicker';
import { useAppStore } from '../../store/store-context';

type Kind = TerminalTarget['kind'];

/** Until the first fit, a terminal opens at this size; the pane resizes it at once. */
export const initialTerminalSize = { cols: 100, rows: 30 };

/** Chooses what a new tab connects to: a local shell (optionally bound to a context), an SSH host, or a pod. */
export function NewTerminalForm() {
  const openTerminal = useAppStore((state) => state.openTerminal);
  const podContainers = useAppStore((state) => state.podContainers);
  const hosts = useAppStore((state) => state.hosts);
  const loadHosts = useAppStore((state) => state.loadHosts);
  const [kind, setKind] = useState<Kind>('local');
  // The active context unless the user picks another (or "Your KUBECONFIG") here.
  const activeContext = useAppStore((state) => state.clusters?.activeContext);
  const [pickedContext, setContext] = useState<string | undefined>(undefined);
  const context = pickedContext ?? activeContext ?? '';
  const [hostId, setHostId] = useState('');
  const [namespace, setNamespace] = useState('default');
  const [pod, setPod] = useState('');
  const [container, setContainer] = useState('');
  const [containers, setContainers] = useState<PodContainers | undefined>(undefined);
  const [pickerError, setPickerError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const target = (): TerminalTarget | undefined => {
    if (kind === 'local') return context.trim() ? { kind, context: context.trim() } : { kind };
    if (kind === 'ssh') return hostId.trim() ? { kind, hostId: hostId.trim() } : undefined;
    if (!context.trim() || !namespace.trim() || !pod.trim()) return undefined;
    return { kind, context: context.trim(), namespace: namespace.trim(), pod: pod.trim(), ...(container ? { container } : {}) };
  };

  const loadContainers = async () => {
    setPickerError(undefined);
    try {
      const found = await podContainers(context.trim(), namespace.trim(), pod.trim());
      setContainers(found);
      setContainer(found.containers[0] ?? '');
    } catch (error) {
      setContainers(undefined);
      setPickerError(AppError.from(error).message);
    }
  };

  // The SSH choice lists the inventory's hosts by name.
  useEffect(() => {
    if (kind === 'ssh' && hosts === undefined) void loadHosts();
  }, [kind, hosts, loadHosts]);

  const ready = target() !== undefined;
  return (
    <form
      className="toolbar-form"
      aria-label="New terminal"
      onSubmit={(event) => {
        event.preventDefault();
        const chosen = target();
        if (!chosen) return;
        setBusy(true);
        void openTerminal(chosen, initialTerminalSize).finally(() => setBusy(false));
      }}
    >
      <label>
        Type
        <select value={kind} onChange={(event) => setKind(event.target.value as Kind)}>
          <option value="local">Local shell</option>
          <option value="ssh">SSH to a lab host</option>
          <option value="pod">Exec into a pod</option>
        </select>
      </label>
      {kind !== 'ssh' && (
        <label>
          Context{kind === 'local' ? ' (optional)' : ''}
          <ContextPicker
            aria-label={kind === 'local' ? 'Context (optional)' : 'Context'}
            value={context}
            onChange={setContext}
            emptyLabel={kind === 'local' ? 'Your KUBECONFIG' : 'Choose a context'}
          />
        </label>
      )}
      {kind === 'ssh' && (
        <label>
          Host
          <select aria-label="Host" value={hostId} onChange={(event) => setHostId(event.target.value)}>
            <option value="">{hosts?.length === 0 ? 'No hosts yet: add one in Hosts' : 'Choose a host'}</option>
            {(hosts ?? []).map((host) => (
              <option key={host.id} value={host.id}>
                {host.name} ({host.user}@{host.address})
              </option>
            ))}
          </select>
        </label>
      )}
      {kind === 'pod' && (
        <>
          <label>
            Namespace
            <input value={namespace} onChange={(event) => setNamespace(event.target.value)} />
          </label>
          <label>
            Pod
            <input
              value={pod}
              onChange={(event) => {
                setPod(event.target.value);
                setContainers(undefined);
                setContainer('');
              }}
            />
          </label>
          {containers ? (
            <label>
              Container
              <select value={container} onChange={(event) => setContainer(event.target.value)}>
                {containers.containers.map((name) => (
                  <option key={name}>{name}</option>
                ))}
              </select>
            </label>
          ) : (
            <button type="button" onClick={() => void loadContainers()} disabled={!context.trim() || !pod.trim()}>
              Choose container
            </button>
          )}
          {pickerError && (
            <span className="field-error" role="alert">
              {pickerError}
            </span>
          )}
        </>
      )}
      <button type="submit" className="button-primary" disabled={!ready || busy}>
        Open
      </button>
    </form>
  );
}
