import { useState } from 'react';
import type { ConnectionStateChange, HostSummary } from '../../../shared/contract';
import type { SerializedError } from '../../../shared/errors';
import { StatusBadge } from '../../components/StatusBadge';
import type { HostCheck, ProbeState } from './hosts-slice';
import { useAppStore } from '../../store/store-context';
import { authLabel, hostStatus } from './host-status';
import { HostLabs } from './HostLabs';
import { PreflightPanel } from './PreflightPanel';

export interface HostCardProps {
  host: HostSummary;
  hosts: HostSummary[];
  check: HostCheck | undefined;
  connection: ConnectionStateChange | undefined;
  probe: ProbeState | undefined;
  onEdit: () => void;
  onRemove: () => void;
  /** Opens an SSH tab in the Terminals view; absent when terminals cannot open one. */
  onOpenTerminal?: () => void;
}

/** One host: state in words and an icon, its facts, what went wrong with the fix, preflight. */
export function HostCard({ host, hosts, check, connection, probe, onEdit, onRemove, onOpenTerminal }: HostCardProps) {
  const testHost = useAppStore((state) => state.testHost);
  const forgetHostKey = useAppStore((state) => state.forgetHostKey);
  const probeHost = useAppStore((state) => state.probeHost);
  const cancelProbe = useAppStore((state) => state.cancelProbe);
  const resetHostKeyStore = useAppStore((state) => state.resetHostKeyStore);
  const status = hostStatus(host, check, connection);
  const headingId = `host-${host.id}`;
  const failure = check?.status === 'done' && !check.result.ok ? check.result.error : undefined;
  const jump = host.jumpHostId ? hosts.find((candidate) => candidate.id === host.jumpHostId) : undefined;
  const probing = probe?.status === 'running';
  const testing = check?.status === 'testing';

  return (
    <li className="card host-card" aria-labelledby={headingId} data-testid="host-card">
      <div className="card-title">
        <h3 id={headingId}>{host.name}</h3>
        <StatusBadge tone={status.tone} icon={status.icon} testId="host-status">
          {status.label}
        </StatusBadge>
        <StatusBadge tone="neutral">{host.os === 'linux' ? 'Linux' : 'Windows'}</StatusBadge>
      </div>
      <dl className="facts">
        <dt>Address</dt>
        <dd>
          <code>
            {host.user}@{host.address}:{host.port}
          </code>
          {jump && <span className="muted"> via {jump.name}</span>}
        </dd>
        <dt>Sign-in</dt>
        <dd>
          {authLabel(host)}
          {host.hasSudoPassword && <span className="muted"> · sudo password saved</span>}
        </dd>
        <dt>Host key</dt>
        <dd>
          {host.hostKey ? (
            <>
              <code className="verbatim">{host.hostKey.fingerprint}</code> <span className="muted">({host.hostKey.keyType}, accepted)</span>
            </>
          ) : (
            <span className="muted">not accepted yet</span>
          )}
        </dd>
        {host.os === 'linux' && (
          <>
            <dt>VM storage</dt>
            <dd>
              <code>{host.storagePath}</code>
            </dd>
          </>
        )}
      </dl>

      {failure && (
        <ConnectionFailure
          hostName={host.name}
          error={failure}
          onForget={() => void forgetHostKey(host.id)}
          onResetStore={() => void resetHostKeyStore()}
        />
      )}

      <div className="form-actions host-actions">
        <button type="button" className="button" disabled={testing} onClick={() => void testHost(host.id)}>
          {testing ? 'Testing…' : 'Test connection'}
        </button>
        <button type="button" className="button button-primary" disabled={probing} onClick={() => void probeHost(host.id)}>
          {probe?.status === 'done' ? 'Run preflight again' : 'Run preflight'}
        </button>
        {onOpenTerminal && (
          <button
            type="button"
            className="button"
            onClick={onOpenTerminal}
            disabled={!host.hostKey}
            title={host.hostKey ? undefined : 'Accept the host key first (Test connection shows it).'}
          >
            Open SSH terminal
          </button>
        )}
        <span className="status-spacer" />
        <button type="button" className="button button-quiet" onClick={onEdit}>
          Edit
        </button>
        <button type="button" className="button button-quiet" onClick={onRemove}>
          Remove
        </button>
      </div>

      {probe && <PreflightPanel host={host} probe={probe} onCancel={() => void cancelProbe(host.id)} />}
      <HostLabs host={host} />
    </li>
  );
}

/** Why the last test failed, with what to do. A changed key shows both fingerprints. */
function ConnectionFailure({
  hostName,
  error,
  onForget,
  onResetStore,
}: {
  hostName: string;
  error: SerializedError;
  onForget: () => void;
  onResetStore: () => void;
}) {
  if (error.code === 'HOST_KEY_STORE_CORRUPT') return <CorruptKeyStore error={error} onReset={onResetStore} />;
  if (error.code === 'HOST_KEY_UNKNOWN') {
    return (
      <div className="inline-alert" role="status">
        <p>First contact: accept the host key to connect. Nothing has run on {hostName}.</p>
      </div>
    );
  }
  if (error.code === 'HOST_KEY_CHANGED') {
    const details = error.details ?? {};
    return (
      <div className="diagnosis host-key-changed" role="group" aria-label="Host key refused">
        <p>
          <strong>Refused: the host key of {hostName} changed.</strong> Nothing was sent to the host. This can be an attack, or the host was
          reinstalled.
        </p>
        <dl className="facts">
          <dt>Accepted key</dt>
          <dd>
            <code className="verbatim" data-testid="expected-fingerprint">
              {typeof details.expected === 'string' ? details.expected : ''}
            </code>
          </dd>
          <dt>Presented now</dt>
          <dd>
            <code className="verbatim" data-testid="presented-fingerprint">
              {typeof details.presented === 'string' ? details.presented : ''}
            </code>{' '}
            {typeof details.keyType === 'string' && <span className="muted">({details.keyType})</span>}
          </dd>
        </dl>
        <p>Only if you know the host was reinstalled: forget the old key, then compare and accept the new one.</p>
        <div className="form-actions">
          <button type="button" className="button button-danger" onClick={onForget}>
            Forget this host key
          </button>
        </div>
      </div>
    );
  }
  return (
    <div className="diagnosis" role="group" aria-label="Connection problem">
      <p>{error.message}</p>
    </div>
  );
}

/** The host-key store is missing or corrupt: every connection is refused until it is reset (asked twice). */
function CorruptKeyStore({ error, onReset }: { error: SerializedError; onReset: () => void }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <div className="diagnosis" role="group" aria-label="Host key store problem">
      <p>{error.message}</p>
      <div className="form-actions">
        {confirming ? (
          <>
            <span>Every host will be at first contact: you check and accept each key again.</span>
            <button type="button" className="button button-danger" onClick={onReset}>
              Reset now
            </button>
            <button type="button" className="button button-quiet" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" className="button button-danger" onClick={() => setConfirming(true)}>
            Reset host key store
          </button>
        )}
      </div>
    </div>
  );
}
