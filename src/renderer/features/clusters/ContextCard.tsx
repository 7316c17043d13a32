import { useState } from 'react';
import type { ClusterContext } from '../../../shared/contract';
import { Banner } from '../../components/Banner';
import { StatusBadge } from '../../components/StatusBadge';
import { useAppStore } from '../../store/store-context';
import { contextStatus, describeNodes, diagnosisParts, labTunnelNote } from './context-status';
import { ExportForm } from './ExportForm';
import { credentialsLost, RereadButton } from './LostCredentials';
import { PluginApproval } from './PluginApproval';

/** One context: status in words, facts, the diagnosis with its fix, plugin approval, actions. */
export function ContextCard({ context, active }: { context: ClusterContext; active: boolean }) {
  const setActive = useAppStore((state) => state.setActiveContext);
  const refresh = useAppStore((state) => state.refreshContext);
  const remove = useAppStore((state) => state.removeContext);
  const approve = useAppStore((state) => state.approvePlugin);
  const revoke = useAppStore((state) => state.revokePlugin);
  const allowFiles = useAppStore((state) => state.allowExternalFiles);
  const labs = useAppStore((state) => state.labs);
  const hosts = useAppStore((state) => state.hosts);
  const tunnel = labTunnelNote(context.name, labs, hosts);
  const [exporting, setExporting] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const status = contextStatus(context);
  const result = context.health.result;
  const headingId = `context-${context.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const plugin = context.auth.plugin;
  const failure = result && !result.ok && result.error.code !== 'APPROVAL_REQUIRED' ? diagnosisParts(result.error) : undefined;

  return (
    <li className={`card context-card ${active ? 'card-active' : ''}`} aria-labelledby={headingId} data-testid="context-card">
      <div className="card-title">
        <h3 id={headingId}>{context.name}</h3>
        {active && <StatusBadge tone="accent">Active</StatusBadge>}
        <StatusBadge tone={status.tone} testId="context-status">
          {status.label}
        </StatusBadge>
      </div>
      {context.insecureSkipTlsVerify && (
        <Banner tone="warning">
          TLS verification is off for this cluster (insecure-skip-tls-verify in the kubeconfig): anyone on the network path could pose as
          the API server. Nestlab never turns this on; add the cluster&apos;s CA to the kubeconfig and import it again.
        </Banner>
      )}
      <dl className="facts">
        <dt>Server</dt>
        <dd>
          <code>{context.server}</code>
          {tunnel && (
            <>
              {' '}
              <StatusBadge tone="warn" testId="context-tunnel">
                {tunnel.label}
              </StatusBadge>
              <span className="muted context-tunnel-detail"> {tunnel.detail}</span>
            </>
          )}
        </dd>
        <dt>Cluster / user</dt>
        <dd>
          {context.clusterName} / {context.userName || 'anonymous'}{' '}
          <span className="muted">({credentialsLost(context) ? 'saved credentials lost' : authLabel(context)})</span>
        </dd>
        {context.namespace && (
          <>
            <dt>Namespace</dt>
            <dd>{context.namespace}</dd>
          </>
        )}
        {result?.ok && (
          <>
            <dt>Version</dt>
            <dd>
              {result.version}
              {result.platform && <span className="muted"> {result.platform}</span>}
            </dd>
            <dt>Nodes</dt>
            <dd>
              {'error' in result.nodes ? (
                <span className="muted">not visible: {result.nodes.error.message}</span>
              ) : (
                describeNodes(result.nodes)
              )}
            </dd>
            <dt>You are</dt>
            <dd>
              {result.identity.user}
              <span className="muted"> · {result.identity.canListNodes ? 'can list nodes' : 'cannot list nodes'}</span>
            </dd>
          </>
        )}
        <dt>Imported from</dt>
        <dd className="muted">{context.source}</dd>
        {context.externalFiles.length > 0 && (
          <>
            <dt>Read when connecting</dt>
            <dd className="muted">
              {context.externalFiles.join(', ')}
              {context.externalFilesAllowed ? ' (allowed)' : ''}
            </dd>
          </>
        )}
      </dl>
      {context.externalFiles.length > 0 && !context.externalFilesAllowed && (
        <div className="plugin-approval" role="group" aria-label="Files outside the kubeconfig's folder">
          <h4>Files outside the kubeconfig&apos;s folder: not read yet</h4>
          <ul className="plain-list verbatim-list">
            {context.externalFiles.map((path) => (
              <li key={path}>
                <code className="verbatim">{path}</code>
              </li>
            ))}
          </ul>
          <p className="muted">
            Nestlab reads these at each connection and sends what they hold to {context.server} (a token file) or uses it as this
            context&apos;s identity. Allow it only if these are the files you expect this kubeconfig to use.
          </p>
          <div className="form-actions">
            <button type="button" className="button button-primary" onClick={() => void allowFiles(context.name, context.externalFiles)}>
              Allow reading these files
            </button>
          </div>
        </div>
      )}
      {failure && (
        <div className="diagnosis" role="group" aria-label="Diagnosis">
          <p>
            <strong>{status.label}.</strong> {failure.cause}
          </p>
          {failure.fix && (
            <p>
              <strong>Fix:</strong> {failure.fix}
            </p>
          )}
          <RereadButton context={context} />
        </div>
      )}
      {plugin && (
        <PluginApproval
          plugin={plugin}
          onApprove={() => void approve(context.name, plugin.approvalKey)}
          onRevoke={() => void revoke(context.name)}
        />
      )}
      <div className="form-actions">
        {!active && (
          <button type="button" className="button button-primary" onClick={() => void setActive(context.name)}>
            Use this context
          </button>
        )}
        <button type="button" className="button" disabled={context.health.checking} onClick={() => void refresh(context.name)}>
          {context.health.checking ? 'Checking…' : 'Check now'}
        </button>
        <button type="button" className="button" aria-expanded={exporting} onClick={() => setExporting(!exporting)}>
          Export…
        </button>
        <span className="status-spacer" />
        {confirmRemove ? (
          <>
            <button type="button" className="button button-danger" onClick={() => void remove(context.name)}>
              Remove {context.name}
            </button>
            <button type="button" className="button button-quiet" onClick={() => setConfirmRemove(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" className="button button-quiet" onClick={() => setConfirmRemove(true)}>
            Remove…
          </button>
        )}
      </div>
      {exporting && <ExportForm context={context.name} />}
    </li>
  );
}

function authLabel(context: ClusterContext): string {
  switch (context.auth.kind) {
    case 'token':
      return 'token saved';
    case 'token-file':
      return 'token file';
    case 'client-certificate':
      return 'client certificate';
    case 'basic':
      return 'password saved';
    case 'exec':
      return 'credential plugin';
    case 'auth-provider':
      return 'auth provider';
    default:
      return 'no credentials';
  }
}
