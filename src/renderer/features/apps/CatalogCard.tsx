import type { CatalogApp } from '../../../shared/contract';
import { useAppStore } from '../../store/store-context';
import { DeployForm } from './DeployForm';
import { OsBadge } from './OsBadge';

export function CatalogCard({ app, context }: { app: CatalogApp; context: string | undefined }) {
  const deploying = useAppStore((state) => state.deploy?.appId === app.id);
  const openDeploy = useAppStore((state) => state.openDeploy);
  const headingId = `catalog-${app.id}`;
  return (
    <li className="card app-card" aria-labelledby={headingId}>
      <div className="card-header">
        <h3 id={headingId}>{app.title}</h3>
        <OsBadge os={app.os} />
      </div>
      <p className="muted">{app.description}</p>
      <dl className="facts">
        <dt>Images</dt>
        <dd>
          {app.images.map((image) => (
            <code key={image} className="app-image">
              {image}
            </code>
          ))}
        </dd>
        <dt>Objects</dt>
        <dd>{app.objects.join(', ')}</dd>
      </dl>
      {deploying && context !== undefined ? (
        <DeployForm app={app} context={context} />
      ) : (
        <div className="form-actions">
          <button
            type="button"
            className="button button-primary"
            disabled={context === undefined}
            onClick={() => openDeploy(app.id)}
            aria-label={`Deploy ${app.title}`}
          >
            Deploy
          </button>
        </div>
      )}
    </li>
  );
}
