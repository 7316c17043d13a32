import { useState } from 'react';
import { StatusBadge } from '../../components/StatusBadge';
import { useAppStore } from '../../store/store-context';
import { ObjectActions } from '../pods/ObjectActions';
import { LabTunnelAction } from './LabTunnelAction';
import { openChoices } from './open-choices';
import { OsBadge } from './OsBadge';
import { ReplicaSlider } from './ReplicaSlider';

export function InstanceCard({ instanceKey }: { instanceKey: string }) {
  const status = useAppStore((state) => state.appInstances[instanceKey]);
  const uninstallApp = useAppStore((state) => state.uninstallApp);
  const [confirming, setConfirming] = useState(false);
  const [removing, setRemoving] = useState(false);
  if (!status) return null;
  // The external address, the tunnel through the lab host, or the port-forward: the reachable one leads.
  const open = openChoices(status);
  const headingId = `instance-${instanceKey}`.replace(/[^a-zA-Z0-9-]/g, '-');
  return (
    <li className="card app-instance" aria-labelledby={headingId} data-instance={status.instance}>
      <div className="card-header">
        <h3 id={headingId}>
          {status.title}{' '}
          <span className="muted">
            · {status.namespace}/{status.instance}
          </span>
        </h3>
        <span className="app-instance-badges">
          {status.os && <OsBadge os={status.os} />}
          <StatusBadge tone={status.ready ? 'ok' : 'busy'}>{status.ready ? 'Ready' : 'Rolling out'}</StatusBadge>
        </span>
      </div>
      {status.error && <p className="field-error">{status.error.message}</p>}
      {status.deployments.map((deployment) => (
        <div key={deployment.name}>
          <ReplicaSlider instanceKey={instanceKey} deployment={deployment} max={status.replicaRanges[deployment.name]?.max ?? 10} />
          <ObjectActions context={status.context} kind="Deployment" name={deployment.name} namespace={status.namespace} />
        </div>
      ))}
      {status.services.length > 0 && (
        <dl className="facts">
          {status.services.map((service) => (
            <div key={service.name} className="app-service">
              <dt>{service.name}</dt>
              <dd>
                {service.type}
                {service.type === 'LoadBalancer' &&
                  (service.externalAddress ? (
                    <>
                      {' '}
                      · external IP <code>{service.externalAddress}</code>
                    </>
                  ) : (
                    ' · external IP pending…'
                  ))}
                {service.nodePorts.length > 0 && <> · node port {service.nodePorts.join(', ')}</>}
                <ObjectActions
                  context={status.context}
                  kind="Service"
                  name={service.name}
                  namespace={status.namespace}
                  ports={service.ports}
                  offerForward
                  forwardPrimary={open.forwardPrimaryService === service.name}
                />
              </dd>
            </div>
          ))}
        </dl>
      )}
      <div className="form-actions">
        {open.url !== undefined && (
          <a className={open.urlPrimary ? 'button button-primary' : 'button'} href={open.url} target="_blank" rel="noopener noreferrer">
            Open {open.url}
          </a>
        )}
        {open.tunnel && (
          <LabTunnelAction
            context={status.context}
            namespace={status.namespace}
            service={open.tunnel.service}
            port={open.tunnel.port}
            labHost={open.tunnel.labHost}
            primary={open.tunnel.primary}
          />
        )}
        {open.url !== undefined && status.openReachable === false && (
          <span className="field-hint" data-testid="open-unreachable">
            {open.tunnel
              ? `This computer cannot reach ${open.host ?? ''}, an address of the lab network on ${open.tunnel.labHost.name}: open the app through the SSH tunnel via that host, or the port-forward above.`
              : `This computer cannot reach ${open.host ?? ''}: open the app through the port-forward above.`}
          </span>
        )}
        {confirming ? (
          <>
            <span className="field-error">
              Delete the {status.objects.length} objects this app created? Nothing else in {status.namespace} is touched.
            </span>
            <button
              type="button"
              className="button button-danger"
              disabled={removing}
              onClick={() => {
                setRemoving(true);
                void uninstallApp(instanceKey).finally(() => setRemoving(false));
              }}
            >
              {removing ? 'Uninstalling…' : 'Confirm uninstall'}
            </button>
            <button type="button" className="button button-quiet" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" className="button" onClick={() => setConfirming(true)}>
            Uninstall
          </button>
        )}
      </div>
    </li>
  );
}
