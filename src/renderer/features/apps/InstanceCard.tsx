import { useState } from 'react';
import { useAppStore } from '../../store/store-context';
import { ObjectActions } from '../pods/ObjectActions';
import { LabTunnelAction } from './LabTunnelAction';
import { OsBadge } from './OsBadge';
import { ReplicaSlider } from './ReplicaSlider';

/** Only http(s) is ever offered to open (the main process checks again before opening). */
function isWebUrl(url: string | undefined): url is string {
  return url !== undefined && /^https?:\/\//.test(url);
}

export function InstanceCard({ instanceKey }: { instanceKey: string }) {
  const status = useAppStore((state) => state.appInstances[instanceKey]);
  const uninstallApp = useAppStore((state) => state.uninstallApp);
  const [confirming, setConfirming] = useState(false);
  const [removing, setRemoving] = useState(false);
  if (!status) return null;
  // The external address is the main way in only when this computer could reach it.
  const reachable = status.openReachable === true;
  const openHost = isWebUrl(status.openUrl) ? new URL(status.openUrl).hostname.replace(/^\[|\]$/g, '') : undefined;
  // A lab's app can also be opened through an SSH tunnel via the lab host, to the same address.
  const openService = status.services.find((service) => service.externalAddress !== undefined && service.externalAddress === openHost);
  const openPort = isWebUrl(status.openUrl) ? Number(new URL(status.openUrl).port || (status.openUrl.startsWith('https:') ? 443 : 80)) : 0;
  const tunnel = status.labHost !== undefined && openService !== undefined ? status.labHost : undefined;
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
          <span className={`badge ${status.ready ? 'badge-ok' : 'badge-busy'}`}>{status.ready ? 'Ready' : 'Rolling out'}</span>
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
                  forwardPrimary={
                    service.externalAddress !== undefined && service.externalAddress === openHost && !reachable && tunnel === undefined
                  }
                />
              </dd>
            </div>
          ))}
        </dl>
      )}
      <div className="form-actions">
        {isWebUrl(status.openUrl) && (
          <a className={reachable ? 'button button-primary' : 'button'} href={status.openUrl} target="_blank" rel="noopener noreferrer">
            Open {status.openUrl}
          </a>
        )}
        {tunnel && openService && (
          <LabTunnelAction
            context={status.context}
            namespace={status.namespace}
            service={openService.name}
            port={openPort}
            labHost={tunnel}
            primary={!reachable}
          />
        )}
        {isWebUrl(status.openUrl) && status.openReachable === false && (
          <span className="field-hint" data-testid="open-unreachable">
            {tunnel
              ? `This computer cannot reach ${openHost ?? ''}, an address of the lab network on ${tunnel.name}: open the app through the SSH tunnel via that host, or the port-forward above.`
              : `This computer cannot reach ${openHost ?? ''}: open the app through the port-forward above.`}
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
