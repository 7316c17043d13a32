import { useState } from 'react';
import type { ExistingMachine, LabSummary } from '../../../shared/contract';
import { useAppStore } from '../../store/store-context';
import { ExistingMachinesField } from './ExistingMachinesField';
import { PoolFormActions } from './PoolFormActions';

const sameMachines = (a: readonly ExistingMachine[], b: readonly ExistingMachine[]) =>
  a.length === b.length && a.every((machine) => b.some((other) => other.hostId === machine.hostId && other.role === machine.role));

/**
 * The node pools of an existing-machines lab: its workers are hosts of the inventory, so scaling
 * means adding or removing machines (a removed machine is drained, its node deleted, then reset;
 * the machine itself stays). The control planes stay as they are.
 */
export function ExistingMachinePools({ lab, blocked }: { lab: LabSummary; blocked: string | undefined }) {
  const scale = useAppStore((state) => state.scaleLab);
  const action = useAppStore((state) => state.labActions[lab.name]);
  const hosts = useAppStore((state) => state.hosts) ?? [];
  const current = lab.plan.existingMachines ?? [];
  const [draft, setDraft] = useState<ExistingMachine[]>();
  const machines = draft ?? current;
  const changed = !sameMachines(machines, current);
  const removing = current.filter((machine) => !machines.some((kept) => kept.hostId === machine.hostId)).length;
  const adding = machines.filter((machine) => !current.some((known) => known.hostId === machine.hostId)).length;

  const apply = async () => {
    const counts = { linuxWorkers: 0, windowsWorkers: 0 };
    for (const machine of machines) {
      if (machine.role === 'linux-worker') counts.linuxWorkers += 1;
      if (machine.role === 'windows-worker') counts.windowsWorkers += 1;
    }
    if (await scale(lab.name, { ...counts, existingMachines: machines })) setDraft(undefined);
  };
  return (
    <section className="lab-pools" aria-labelledby={`lab-pools-${lab.name}`}>
      <h3 id={`lab-pools-${lab.name}`}>Machines</h3>
      <form
        className="lab-pools-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (!blocked && changed && !action) void apply();
        }}
      >
        <ExistingMachinesField path={`pools-${lab.name}-machines`} hosts={hosts} value={machines} error={undefined} onChange={setDraft} />
        <PoolFormActions
          blocked={blocked}
          changed={changed}
          applying={action === 'scaling'}
          busy={action !== undefined}
          onReset={() => setDraft(undefined)}
          changes={[
            adding > 0 ? `${adding} machine(s) to install and join` : '',
            removing > 0 ? `${removing} node(s) to cordon, drain, delete and reset (the machines stay)` : '',
          ]}
          idleHint="Add or remove workers, then Apply. The control planes stay."
        />
      </form>
    </section>
  );
}
