import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../store/store-context';
import './pods.css';

/** The first port number of "80/TCP", "8080:30080/TCP" or 80. */
export function firstPort(ports: readonly (string | number)[]): number | undefined {
  for (const port of ports) {
    const value = typeof port === 'number' ? port : Number(/^(\d+)/.exec(port)?.[1]);
    if (Number.isInteger(value) && value > 0) return value;
  }
  return undefined;
}

export interface ObjectActionsProps {
  context: string | undefined;
  kind: string;
  name: string;
  namespace: string | undefined;
  /** Service ports, for "Open through port-forward". */
  ports?: readonly (string | number)[];
  /** Offer the port-forward (a Service whose app has no external address, or one this computer cannot reach). */
  offerForward?: boolean;
  /** The port-forward is the way in from here: show it as the main action. */
  forwardPrimary?: boolean;
}

/**
 * Logs, Exec, Details and port-forward for one object, where another view shows it (the topology
 * map's details, the apps view's instance cards). Exec opens the Terminals view with the new tab;
 * Logs and Details open the Pods view.
 */
export function ObjectActions({
  context,
  kind,
  name,
  namespace,
  ports = [],
  offerForward = false,
  forwardPrimary = false,
}: ObjectActionsProps) {
  const { openLogs, execInPod, execInDeployment, showInPods, startForward } = useAppStore(
    useShallow((state) => ({
      openLogs: state.openLogs,
      execInPod: state.execInPod,
      execInDeployment: state.execInDeployment,
      showInPods: state.showInPods,
      startForward: state.startForward,
    })),
  );
  // The forward to this Service, while it runs (it can be stopped from the Pods view).
  const forward = useAppStore((state) =>
    state.forwards.find(
      (candidate) =>
        kind === 'Service' &&
        candidate.via === 'api-server' &&
        candidate.request.kind === 'service' &&
        candidate.request.context === context &&
        candidate.request.namespace === namespace &&
        candidate.request.name === name,
    ),
  );
  const podsError = useAppStore((state) => state.podsError);
  const [tried, setTried] = useState(false);
  if (!context || !namespace || !['Pod', 'Deployment', 'Service'].includes(kind)) return null;
  const port = firstPort(ports);
  const ref = { context, kind, name, namespace };
  return (
    <div className="object-actions" role="group" aria-label={`Actions for ${kind} ${name}`}>
      {kind === 'Pod' && (
        <>
          <button type="button" className="button" onClick={() => void openLogs({ context, namespace, kind: 'pod', name })}>
            Logs
          </button>
          <button type="button" className="button" onClick={() => void execInPod({ context, namespace, pod: name })}>
            Exec
          </button>
        </>
      )}
      {kind === 'Deployment' && (
        <>
          <button type="button" className="button" onClick={() => void openLogs({ context, namespace, kind: 'deployment', name })}>
            Logs
          </button>
          <button type="button" className="button" onClick={() => void execInDeployment({ context, namespace, deployment: name })}>
            Exec
          </button>
        </>
      )}
      <button type="button" className="button" onClick={() => void showInPods('describe', ref)}>
        Details
      </button>
      <button type="button" className="button" onClick={() => void showInPods('events', ref)}>
        Events
      </button>
      {kind === 'Service' && offerForward && port !== undefined && !forward && (
        <button
          type="button"
          className={forwardPrimary ? 'button button-primary' : 'button'}
          onClick={() => {
            setTried(true);
            void startForward({ context, namespace, kind: 'service', name, remotePort: port });
          }}
        >
          Open through port-forward
        </button>
      )}
      {forward && (
        <span className="forward-url">
          Forwarded to{' '}
          <a href={forward.url} target="_blank" rel="noopener noreferrer" data-testid="forward-url">
            {forward.url}
          </a>
        </span>
      )}
      {tried && !forward && podsError && (
        <span className="field-error" role="alert">
          {podsError.message}
        </span>
      )}
    </div>
  );
}
