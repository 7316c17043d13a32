import type { LabPlanForm } from './labs-slice';
import { useAppStore } from '../../store/store-context';
import { Banner } from '../../components/Banner';
import type { Bind } from './LabPlanForm';
import { TextField } from './PlanFields';

/**
 * The cluster's address ranges: what Nestlab proposes for the chosen host (the next free lab
 * network, pod, service and LoadBalancer ranges and endpoint address, none overlapping the host's
 * networks or its other labs), editable, with what the host already uses.
 */
export function AllocatedRanges({ form, hostName, bind }: { form: LabPlanForm; hostName: string | undefined; bind: Bind }) {
  const propose = useAppStore((state) => state.proposeLabNetwork);
  const { draft, networkProposal: proposal, networkProposalError: failure } = form;
  const vms = draft.driver !== 'existing';
  const summary =
    proposal === undefined
      ? undefined
      : [
          ...(vms ? [`network ${proposal.network.cidr}`] : []),
          `pods ${proposal.network.podCidr}`,
          `services ${proposal.network.serviceCidr}`,
          ...(vms ? [`LoadBalancer ${proposal.network.loadBalancerStart}–${proposal.network.loadBalancerEnd}`] : []),
          ...(vms ? [`API endpoint address ${proposal.apiEndpointAddress}`] : []),
        ].join(', ');
  return (
    <fieldset className="lab-form-set">
      <legend>Cluster address ranges</legend>
      <p className="field-hint" role="status" data-testid="allocated-ranges">
        {summary !== undefined
          ? `Free on ${hostName ?? 'this host'}: ${summary}.`
          : failure !== undefined
            ? `The free ranges of ${hostName ?? 'this host'} could not be found: ${failure.message}`
            : draft.hostId === ''
              ? 'Choose a host to get its next free ranges.'
              : `Looking up the free ranges on ${hostName ?? 'the host'}…`}
      </p>
      {proposal?.warning !== undefined && <Banner tone="warning">{proposal.warning}</Banner>}
      <div className="lab-form-grid">
        <TextField label="Pod range (CIDR)" placeholder="10.244.0.0/16" {...bind('network.podCidr')} />
        <TextField label="Service range (CIDR)" placeholder="10.96.0.0/16" {...bind('network.serviceCidr')} />
        {vms && draft.distribution === 'kubeadm' && (
          <>
            <TextField label="LoadBalancer range start (MetalLB)" placeholder="192.168.150.200" {...bind('network.loadBalancerStart')} />
            <TextField label="LoadBalancer range end" placeholder="192.168.150.239" {...bind('network.loadBalancerEnd')} />
          </>
        )}
        {vms && (
          <TextField
            label="API endpoint address"
            hint="In the lab network, outside the DHCP pool and the LoadBalancer range."
            placeholder="192.168.150.10"
            {...bind('apiEndpoint.address')}
          />
        )}
      </div>
      {proposal !== undefined && proposal.taken.length > 0 && (
        <details className="taken-ranges">
          <summary>
            In use on {hostName ?? 'this host'} ({proposal.taken.length})
          </summary>
          <ul>
            {proposal.taken.map((range) => (
              <li key={`${range.range} ${range.owner}`}>
                {range.range}: {range.owner}
              </li>
            ))}
          </ul>
        </details>
      )}
      {draft.hostId !== '' && (
        <button type="button" className="button button-quiet" onClick={() => void propose()}>
          Use the next free ranges
        </button>
      )}
    </fieldset>
  );
}
