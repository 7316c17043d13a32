import type { CredentialPlugin } from '../../../shared/contract';

/** The exact command a credential plugin runs, verbatim, and the choice to approve it. */
export function PluginApproval({ plugin, onApprove, onRevoke }: { plugin: CredentialPlugin; onApprove: () => void; onRevoke: () => void }) {
  const title = plugin.kind === 'exec' ? 'Credential plugin (exec)' : `Auth provider "${plugin.providerName ?? ''}" command`;
  return (
    <div className={`plugin-approval ${plugin.approved ? 'plugin-approved' : ''}`}>
      <h4>
        {title}: {plugin.approved ? 'approved' : 'not approved, has not run'}
      </h4>
      <dl className="facts">
        <dt>Command</dt>
        <dd>
          <code className="verbatim">{plugin.command}</code>
        </dd>
        <dt>Arguments</dt>
        <dd>
          {plugin.args.length === 0 ? (
            <span className="muted">none</span>
          ) : (
            <ol className="plain-list verbatim-list">
              {plugin.args.map((arg, index) => (
                <li key={index}>
                  <code className="verbatim">{arg}</code>
                </li>
              ))}
            </ol>
          )}
        </dd>
        <dt>Environment</dt>
        <dd>
          {plugin.env.length === 0 ? (
            <span className="muted">none added</span>
          ) : (
            <ul className="plain-list verbatim-list">
              {plugin.env.map(({ name, value }) => (
                <li key={name}>
                  <code className="verbatim">
                    {name}={value ?? '••••••'}
                  </code>
                  {value === undefined && <span className="muted"> (kept as a secret)</span>}
                </li>
              ))}
            </ul>
          )}
        </dd>
        {plugin.installHint && (
          <>
            <dt>Install hint</dt>
            <dd className="pre-wrap">{plugin.installHint}</dd>
          </>
        )}
      </dl>
      {plugin.approved ? (
        <div className="form-actions">
          <button type="button" className="button" onClick={onRevoke}>
            Revoke approval
          </button>
        </div>
      ) : (
        <>
          <p className="muted">
            This program runs on your computer with your permissions each time Nestlab needs credentials (time limit 30 s). Approve it only
            if you trust this exact command. The approval holds for this context and its server only: any change to the command or the
            server needs a new one, and removing the context drops it.
          </p>
          <div className="form-actions">
            <button type="button" className="button button-primary" onClick={onApprove}>
              Approve and run this command
            </button>
          </div>
        </>
      )}
    </div>
  );
}
