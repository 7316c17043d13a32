import type { LabPlan } from '../../../shared/contract/labs';
import { endpointAccess } from './endpoint-access';

/** The lab's API endpoint: in the lab network, from this computer, and for a kubeconfig used outside Nestlab. */
export function EndpointAccess({ plan, host }: { plan: LabPlan; host: { name: string; address?: string } }) {
  const access = endpointAccess(plan, host);
  return (
    <>
      <code data-testid="lab-endpoint">{access.endpoint}</code>
      <p className="muted" data-testid="lab-endpoint-in-lab">
        {access.inLab}
      </p>
      <p className="muted" data-testid="lab-endpoint-from-here">
        {access.fromHere}
      </p>
      {access.fallback !== undefined && (
        <p className="muted" data-testid="lab-endpoint-fallback">
          {access.fallback}
        </p>
      )}
    </>
  );
}
