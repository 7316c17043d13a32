import { useEffect } from 'react';
import { useAppStore } from '../../store/store-context';
import { labOfContext, powerLabel } from './machine-action-view';
import { MachineActionError, MachineActions, MachineOperationProgress } from './MachineActions';

/**
 * A node of the topology map that is a machine of a lab Nestlab made (the map's context is the
 * lab's): its VM's power state, Maintain, Resume and the power actions from the map's details,
 * with the operation's progress. Cordoned comes from the map's own watch of the node.
 */
export function LabNodeActions({ context, node, cordoned }: { context: string | undefined; node: string; cordoned: boolean }) {
  const lab = useAppStore((state) => labOfContext(state.labs, context));
  const status = useAppStore((state) => (lab === undefined ? undefined : state.machineStatuses[lab.name]?.find((s) => s.name === node)));
  const load = useAppStore((state) => state.loadMachineStatuses);
  const labName = lab?.name;
  const finished = lab === undefined ? '' : lab.status === 'running' ? 'running' : (lab.operation?.finishedAt ?? lab.status);
  useEffect(() => {
    if (labName === undefined) return;
    void load(labName);
    const timer = setInterval(() => void load(labName), 5_000);
    return () => clearInterval(timer);
  }, [labName, finished, load]);
  const machine = lab?.machines.find((candidate) => candidate.name === node);
  if (lab === undefined || machine === undefined) return null;
  const merged = status === undefined ? undefined : { ...status, node: { ready: status.node?.ready ?? false, unschedulable: cordoned } };
  return (
    <section className="topology-lab-machine" aria-label={`Lab machine ${node}`}>
      <h3>
        Machine of lab {lab.name}
        {cordoned ? ' · cordoned' : ''}
      </h3>
      <p data-testid="machine-power">VM: {powerLabel(lab, status)}</p>
      <MachineActionError lab={lab.name} />
      <MachineActions lab={lab} machine={machine} status={merged ?? { name: node, node: { ready: false, unschedulable: cordoned } }} />
      <MachineOperationProgress lab={lab} machine={node} />
    </section>
  );
}
