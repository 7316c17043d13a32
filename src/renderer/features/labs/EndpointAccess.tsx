import type { LabEndpointAccess, LabPlan } from '../../../shared/contract/labs';
import { endpointAccess } from './endpoint-access';

/** The lab's API endpoint: in the lab network, from this computer, and for a kubeconfig used outside Nestlab. */
export function EndpointAccess({
  plan,
  host,
  reached,
}: {
  plan: LabPlan;
  host: { name: string; address?: string };
  /** How Nestlab reached it when it saved the kubeconfig. */
  reached?: LabEndpointAccess | undefined;
}) {
  const access = endpointAccess(plan, host, reached);
  return (
    <>
      <code data-testid="lab-endpoint">{access.endpoint}</code>
      <p className="muted" data-testid="lab-endpoint-in-lab">
        {access.inLab}
      </p>
      <p className="muted" data-testid="lab-endpoint-from-here">
        {access.fromHere}
      </p>
      {access.tunnel !== undefined && (
        <p className="field-warning" data-testid="lab-endpoint-tunnel">
          {access.tunnel}
        </p>
      )}
      {access.tunnelProblem !== undefined && (
        <p className="field-error" role="alert" data-testid="lab-endpoint-tunnel-problem">
          {access.tunnelProblem}
        </p>
      )}
      {access.tunnel === undefined && access.fallback !== undefined && (
        <p className="muted" data-testid="lab-endpoint-fallback">
          {access.fallback}
        </p>
      )}
    </>
  );
}
