import { useShallow } from 'zustand/react/shallow';
import type { HostSummary, LabSummary } from '../../../shared/contract';
import { useAppStore } from '../../store/store-context';

/** The endpoint as kubeconfigs name it, and the lab address it stands for. */
function endpointText(lab: LabSummary): string {
  const { host, port, address } = lab.plan.apiEndpoint;
  return address === '' || address === host ? `${host}:${port}` : `${host}:${port} (${address})`;
}

/**
 * Every lab on this host with the ranges Nestlab allocated it (none overlaps another lab or the
 * host's own networks), so a learner sees what is in use before planning the next one.
 */
export function HostLabs({ host }: { host: HostSummary }) {
  const labs = useAppStore(useShallow((state) => (state.labs ?? []).filter((lab) => lab.hostId === host.id)));
  if (labs.length === 0) return null;
  return (
    <table className="data-table host-labs" aria-label={`Labs on ${host.name}`}>
      <thead>
        <tr>
          <th scope="col">Lab</th>
          <th scope="col">Lab network</th>
          <th scope="col">DHCP pool</th>
          <th scope="col">Pods</th>
          <th scope="col">Services</th>
          <th scope="col">LoadBalancer</th>
          <th scope="col">API endpoint</th>
        </tr>
      </thead>
      <tbody>
        {labs.map((lab) => {
          const { network } = lab.plan;
          const vms = lab.plan.driver !== 'existing';
          return (
            <tr key={lab.name} data-testid={`host-lab-${lab.name}`}>
              <th scope="row">{lab.name}</th>
              <td>{vms ? network.cidr : 'existing machines'}</td>
              <td>{vms ? `${network.poolStart}–${network.poolEnd}` : '—'}</td>
              <td>{network.podCidr}</td>
              <td>{network.serviceCidr}</td>
              <td>
                {lab.plan.distribution === 'k3s'
                  ? 'k3s servicelb (node addresses)'
                  : vms
                    ? `MetalLB ${network.loadBalancerStart}–${network.loadBalancerEnd}`
                    : '—'}
              </td>
              <td>{endpointText(lab)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
