import { useShallow } from 'zustand/react/shallow';
import type { HostSummary, LabSummary } from '../../../shared/contract';
import type { Column } from '../../components/DataTable';
import { DataTable } from '../../components/DataTable';
import { useAppStore } from '../../store/store-context';

/** The endpoint as kubeconfigs name it, and the lab address it stands for. */
function endpointText(lab: LabSummary): string {
  const { host, port, address } = lab.plan.apiEndpoint;
  return address === '' || address === host ? `${host}:${port}` : `${host}:${port} (${address})`;
}

/** Labs on existing machines have no lab network, DHCP pool or MetalLB range of their own. */
const hasVms = (lab: LabSummary) => lab.plan.driver !== 'existing';

const columns: Column<LabSummary>[] = [
  { header: 'Lab', rowHeader: true, cell: (lab) => lab.name },
  { header: 'Lab network', cell: (lab) => (hasVms(lab) ? lab.plan.network.cidr : 'existing machines') },
  { header: 'DHCP pool', cell: (lab) => (hasVms(lab) ? `${lab.plan.network.poolStart}–${lab.plan.network.poolEnd}` : '—') },
  { header: 'Pods', cell: (lab) => lab.plan.network.podCidr },
  { header: 'Services', cell: (lab) => lab.plan.network.serviceCidr },
  {
    header: 'LoadBalancer',
    cell: (lab) =>
      lab.plan.distribution === 'k3s'
        ? 'k3s servicelb (node addresses)'
        : hasVms(lab)
          ? `MetalLB ${lab.plan.network.loadBalancerStart}–${lab.plan.network.loadBalancerEnd}`
          : '—',
  },
  { header: 'API endpoint', cell: endpointText },
];

/**
 * Every lab on this host with the ranges Nestlab allocated it (none overlaps another lab or the
 * host's own networks), so a learner sees what is in use before planning the next one.
 */
export function HostLabs({ host }: { host: HostSummary }) {
  const labs = useAppStore(useShallow((state) => (state.labs ?? []).filter((lab) => lab.hostId === host.id)));
  if (labs.length === 0) return null;
  return (
    <DataTable
      caption={`Labs on ${host.name}`}
      columns={columns}
      rows={labs}
      rowKey={(lab) => lab.name}
      rowAttributes={(lab) => ({ 'data-testid': `host-lab-${lab.name}` })}
    />
  );
}
