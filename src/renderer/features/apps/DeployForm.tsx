import { useState } from 'react';
import type { CatalogApp, DeployRequest, PreflightResult } from '../../../shared/contract';
import { useAppStore } from '../../store/store-context';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function PreflightReport({ preflight }: { preflight: PreflightResult }) {
  return (
    <div className="preflight" aria-live="polite">
      {preflight.problems.length === 0 ? (
        <p className="form-status">Preflight passed: {preflight.readyNodes.length} Ready node(s) of this OS; nothing in the way.</p>
      ) : (
        <ul className="plain-list">
          {preflight.problems.map((problem, index) => (
            <li key={index} className={problem.blocking ? 'field-error' : 'field-hint'}>
              <strong>{problem.blocking ? 'Blocks the deploy: ' : 'Note: '}</strong>
              {problem.message}
              {problem.fix && <div className="muted">{problem.fix}</div>}
            </li>
          ))}
        </ul>
      )}
      {preflight.createsNamespace && <p className="field-hint">The namespace will be created.</p>}
      {preflight.images.length > 0 && <p className="field-hint">Images: {preflight.images.join(', ')}</p>}
    </div>
  );
}

/** Namespace and instance name, a preflight, then the deploy. Refusals come back as values. */
export function DeployForm({ app, context }: { app: CatalogApp; context: string }) {
  const deploy = useAppStore((state) => state.deploy);
  const preflightDeploy = useAppStore((state) => state.preflightDeploy);
  const installApp = useAppStore((state) => state.installApp);
  const closeDeploy = useAppStore((state) => state.closeDeploy);
  const [namespace, setNamespace] = useState(app.id);
  const [instance, setInstance] = useState(app.id);
  const namespaceValid = DNS_LABEL.test(namespace);
  const instanceValid = DNS_LABEL.test(instance);
  const busy = deploy?.phase === 'checking' || deploy?.phase === 'installing';
  const request: DeployRequest = { context, namespace, appId: app.id, instance };
  const preflight =
    deploy?.phase === 'checked' || deploy?.phase === 'refused'
      ? deploy.preflight
      : deploy?.phase === 'installing'
        ? deploy.preflight
        : undefined;

  return (
    <form
      className="deploy-form"
      aria-label={`Deploy ${app.title}`}
      onSubmit={(event) => {
        event.preventDefault();
        if (namespaceValid && instanceValid) void installApp(request);
      }}
    >
      <div className="field">
        <label htmlFor={`ns-${app.id}`}>Namespace</label>
        <input
          id={`ns-${app.id}`}
          value={namespace}
          aria-invalid={!namespaceValid}
          onChange={(event) => setNamespace(event.target.value)}
          aria-describedby={`ns-hint-${app.id}`}
        />
        <p id={`ns-hint-${app.id}`} className="field-hint">
          In context {context}. Created if missing.
        </p>
      </div>
      <div className="field">
        <label htmlFor={`instance-${app.id}`}>Instance name</label>
        <input
          id={`instance-${app.id}`}
          value={instance}
          aria-invalid={!instanceValid}
          onChange={(event) => setInstance(event.target.value)}
        />
        {!(namespaceValid && instanceValid) && (
          <p className="field-error">Lower-case letters, digits and "-", starting and ending with a letter or digit.</p>
        )}
      </div>
      {preflight && <PreflightReport preflight={preflight} />}
      {deploy?.phase === 'refused' && <p className="field-error">Nothing was written: the preflight refused the deploy.</p>}
      {deploy?.phase === 'failed' && <p className="field-error">{deploy.error.message}</p>}
      <div className="form-actions">
        <button
          type="button"
          className="button"
          disabled={busy || !namespaceValid || !instanceValid}
          onClick={() => void preflightDeploy(request)}
        >
          {deploy?.phase === 'checking' ? 'Checking…' : 'Check'}
        </button>
        <button type="submit" className="button button-primary" disabled={busy || !namespaceValid || !instanceValid}>
          {deploy?.phase === 'installing' ? 'Deploying…' : 'Deploy now'}
        </button>
        <button type="button" className="button button-quiet" onClick={closeDeploy}>
          Cancel
        </button>
      </div>
    </form>
  );
}
