import { useState } from 'react';
import type { LabHostRef } from '../../../shared/contract';
import { useAppStore } from '../../store/store-context';

export interface LabTunnelActionProps {
  context: string;
  namespace: string;
  /** The Service whose external address the app opens on, and that port. */
  service: string;
  port: number;
  labHost: LabHostRef;
  /** The tunnel is the way in from here (the external address does not answer): the main action. */
  primary: boolean;
}

/**
 * "Open through <lab host>": an SSH tunnel from 127.0.0.1 through the lab's host to the app's
 * external address on the lab network. Once open it shows its local address; it is listed with
 * the port-forwards in the Pods view, where it can be stopped.
 */
export function LabTunnelAction({ context, namespace, service, port, labHost, primary }: LabTunnelActionProps) {
  const startForward = useAppStore((state) => state.startForward);
  const podsError = useAppStore((state) => state.podsError);
  const tunnel = useAppStore((state) =>
    state.forwards.find(
      (forward) =>
        forward.via === 'lab-host' &&
        forward.request.context === context &&
        forward.request.namespace === namespace &&
        forward.request.name === service &&
        forward.request.remotePort === port,
    ),
  );
  const [opening, setOpening] = useState(false);
  const [tried, setTried] = useState(false);
  if (tunnel) {
    return (
      <span className="forward-url" data-testid="lab-tunnel">
        Tunnelled through {labHost.name}:{' '}
        <a className={primary ? 'button button-primary' : 'button'} href={tunnel.url} target="_blank" rel="noopener noreferrer">
          Open {tunnel.url}
        </a>
      </span>
    );
  }
  return (
    <>
      <button
        type="button"
        className={primary ? 'button button-primary' : 'button'}
        disabled={opening}
        onClick={() => {
          setTried(true);
          setOpening(true);
          void startForward({ context, namespace, kind: 'service', name: service, remotePort: port, via: 'lab-host' }).finally(() =>
            setOpening(false),
          );
        }}
      >
        {opening ? `Opening a tunnel through ${labHost.name}…` : `Open through lab host ${labHost.name} (SSH tunnel)`}
      </button>
      {tried && !opening && podsError && (
        <span className="field-error" role="alert">
          {podsError.message}
        </span>
      )}
    </>
  );
}
