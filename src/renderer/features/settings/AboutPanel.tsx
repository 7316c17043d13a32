import { useAppStore } from '../../store/store-context';

/** Facts from the system service, fetched over whichever transport this window uses. */
export function AboutPanel() {
  const info = useAppStore((state) => state.systemInfo);
  const error = useAppStore((state) => state.systemError);
  const reload = useAppStore((state) => state.loadSystemInfo);

  return (
    <section className="card" aria-labelledby="about-heading" data-testid="about">
      <div className="card-header">
        <h2 id="about-heading">About this installation</h2>
        <button type="button" className="button button-quiet" onClick={() => void reload()}>
          Check again
        </button>
      </div>
      {error && <p className="field-error">{error.message}</p>}
      {info && (
        <dl className="facts">
          <dt>Version</dt>
          <dd data-testid="about-version">
            {info.appName} {info.appVersion}
          </dd>
          <dt>Running as</dt>
          <dd data-testid="about-mode">{info.mode === 'electron' ? 'Desktop app (Electron)' : 'Browser mode'}</dd>
          <dt>Platform</dt>
          <dd>
            {info.platform} / {info.arch}
          </dd>
          <dt>Runtime</dt>
          <dd>
            {Object.entries(info.versions)
              .map(([name, version]) => `${name} ${version}`)
              .join(', ')}
          </dd>
          <dt>kubectl</dt>
          <dd data-testid="about-kubectl">
            {info.kubectl.available ? (
              <>
                {info.kubectl.version}{' '}
                <span className="muted">
                  ({info.kubectl.source === 'bundled' ? 'bundled' : info.kubectl.source === 'added' ? 'added' : 'from PATH'}:{' '}
                  {info.kubectl.path})
                </span>
              </>
            ) : (
              <span className="field-error">{info.kubectl.reason}</span>
            )}
          </dd>
        </dl>
      )}
    </section>
  );
}
