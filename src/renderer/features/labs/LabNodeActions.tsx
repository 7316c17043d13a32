import { useAppStore } from '../../store/store-context';
import { labOfContext } from './machine-action-view';
import { MachineActionError, MachineActions, MachineOperationProgress } from './MachineActions';

/**
 * A node of the topology map that is a machine of a lab Nestlab made (the map's context is the
 * lab's): Maintain and Resume from the map's details, with the operation's progress.
 */
export function LabNodeActions({ context, node, cordoned }: { context: string | undefined; node: string; cordoned: boolean }) {
  const lab = useAppStore((state) => labOfContext(state.labs, context));
  const machine = lab?.machines.find((candidate) => candidate.name === node);
  if (lab === undefined || machine === undefined) return null;
  return (
    <section className="topology-lab-machine" aria-label={`Lab machine ${node}`}>
      <h3>
        Machine of lab {lab.name}
        {cordoned ? ' · cordoned' : ''}
      </h3>
      <MachineActionError lab={lab.name} />
      <MachineActions lab={lab} machine={machine} cordoned={cordoned} />
      <MachineOperationProgress lab={lab} machine={node} />
    </section>
  );
}
