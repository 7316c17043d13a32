import type { DeploymentStatus } from '../../../shared/contract';
import { ProgressBar } from '../../components/ProgressBar';
import { useAppStore } from '../../store/store-context';

/**
 * One Deployment's rollout and scale: a progress bar (ready / desired), the Pending reason when
 * stuck, and a native range input (arrow keys, Page Up/Down, Home/End) from 0 to the app's max,
 * with that range written beside it.
 */
export function ReplicaSlider({ instanceKey, deployment, max }: { instanceKey: string; deployment: DeploymentStatus; max: number }) {
  const pending = useAppStore((state) => state.pendingReplicas[`${instanceKey}#${deployment.name}`]);
  const setReplicas = useAppStore((state) => state.setReplicas);
  const value = pending ?? deployment.desired;
  const id = `replicas-${instanceKey}-${deployment.name}`.replace(/[^a-zA-Z0-9-]/g, '-');
  return (
    <div className="replica-row" data-deployment={deployment.name}>
      <div className="replica-head">
        <label htmlFor={id}>
          <strong>{deployment.name}</strong>
        </label>
        <span className="replica-counts" aria-live="polite" data-testid={`counts-${deployment.name}`}>
          {deployment.ready}/{deployment.desired} ready · {deployment.runningPods} running
          {deployment.pendingPods > 0 ? ` · ${deployment.pendingPods} pending` : ''}
        </span>
      </div>
      <ProgressBar
        value={deployment.ready}
        max={deployment.desired}
        label={`${deployment.name} rollout`}
        tone={deployment.ready >= deployment.desired ? 'ok' : 'warn'}
      />
      {deployment.reason && <p className="field-error replica-reason">{deployment.reason}</p>}
      <div className="range-field">
        <input
          id={id}
          type="range"
          min={0}
          max={max}
          step={1}
          value={value}
          aria-valuetext={`${value} replicas`}
          aria-describedby={`${id}-range`}
          onChange={(event) => setReplicas(instanceKey, deployment.name, Number(event.target.value))}
        />
        <output htmlFor={id} className="range-value">
          {value}
        </output>
        {/* The ends, so a slider at its right end reads as "the most this app allows" (max 1 for a single Redis back end), not as stuck. */}
        <span id={`${id}-range`} className="replica-range" data-testid={`range-${deployment.name}`}>
          of 0–{max}
        </span>
      </div>
    </div>
  );
}
