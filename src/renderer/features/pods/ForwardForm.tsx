import { useState } from 'react';
import type { ForwardRequest } from '../../../shared/contract';
import { useAppStore } from '../../store/store-context';

/** Asks which port to forward and, optionally, which local port to use (empty: a free one). */
export function ForwardForm({
  target,
  ports,
  onDone,
}: {
  target: Omit<ForwardRequest, 'remotePort' | 'localPort'>;
  ports: number[];
  onDone: () => void;
}) {
  const startForward = useAppStore((state) => state.startForward);
  const [remote, setRemote] = useState(String(ports[0] ?? ''));
  const [local, setLocal] = useState('');
  const [busy, setBusy] = useState(false);
  const remotePort = Number(remote);
  const localPort = local.trim() === '' ? 0 : Number(local);
  const remoteValid = Number.isInteger(remotePort) && remotePort >= 1 && remotePort <= 65_535;
  const localValid = Number.isInteger(localPort) && localPort >= 0 && localPort <= 65_535;
  const label = `Forward ${target.kind === 'service' ? 'Service' : 'pod'} ${target.name}`;
  return (
    <form
      className="toolbar-form"
      aria-label={label}
      onSubmit={(event) => {
        event.preventDefault();
        if (!remoteValid || !localValid) return;
        setBusy(true);
        void startForward({ ...target, remotePort, ...(localPort ? { localPort } : {}) })
          .then((info) => {
            if (info) onDone();
          })
          .finally(() => setBusy(false));
      }}
    >
      <strong>{label}</strong>
      <label>
        {target.kind === 'service' ? 'Service port' : 'Pod port'}
        <input
          list={`forward-ports-${target.name}`}
          inputMode="numeric"
          value={remote}
          aria-invalid={!remoteValid}
          onChange={(event) => setRemote(event.target.value)}
        />
        <datalist id={`forward-ports-${target.name}`}>
          {ports.map((port) => (
            <option key={port} value={port} />
          ))}
        </datalist>
      </label>
      <label>
        Local port on 127.0.0.1 (empty: any free port)
        <input inputMode="numeric" value={local} aria-invalid={!localValid} onChange={(event) => setLocal(event.target.value)} />
      </label>
      {!remoteValid && <span className="field-error">A port is a number from 1 to 65535.</span>}
      <button type="submit" className="button button-primary" disabled={busy || !remoteValid || !localValid}>
        {busy ? 'Starting…' : 'Start forwarding'}
      </button>
      <button type="button" className="button button-quiet" onClick={onDone}>
        Cancel
      </button>
    </form>
  );
}
