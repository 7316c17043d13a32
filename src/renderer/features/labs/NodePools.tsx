import { useState } from 'react';
import type { LabSummary } from '../../../shared/contract';
import { useAppStore } from '../../store/store-context';
import { ExistingMachinePools } from './ExistingMachinePools';
import { LINUX_WORKER_MAX, WINDOWS_WORKER_MAX } from './lab-form';
import { CountSlider } from './PlanFields';
import { PoolFormActions } from './PoolFormActions';

/** Why the pools cannot be changed now, or undefined when they can. */
function blockedReason(lab: LabSummary): string | undefined {
  if (lab.status === 'running') return 'An operation is running: wait for it or cancel it.';
  if (lab.status !== 'ready') return 'Resume the lab first: its last operation did not finish.';
  return undefined;
}

/**
 * The node pools: Linux and Windows worker counts as sliders with their numbers, applied with one
 * button (scale up creates and joins VMs; scale down cordons, drains, deletes the node, then the VM).
 */
export function NodePools({ lab }: { lab: LabSummary }) {
  if (lab.plan.driver === 'existing') return <ExistingMachinePools lab={lab} blocked={blockedReason(lab)} />;
  return <WorkerSliders lab={lab} />;
}

function WorkerSliders({ lab }: { lab: LabSummary }) {
  const scale = useAppStore((state) => state.scaleLab);
  const action = useAppStore((state) => state.labActions[lab.name]);
  const [linux, setLinux] = useState<number>();
  const [windows, setWindows] = useState<number>();
  const linuxWorkers = linux ?? lab.plan.linuxWorkers;
  const windowsWorkers = windows ?? lab.plan.windowsWorkers;
  const blocked = blockedReason(lab);
  const changed = linuxWorkers !== lab.plan.linuxWorkers || windowsWorkers !== lab.plan.windowsWorkers;
  const removing = Math.max(0, lab.plan.linuxWorkers - linuxWorkers) + Math.max(0, lab.plan.windowsWorkers - windowsWorkers);
  const adding = Math.max(0, linuxWorkers - lab.plan.linuxWorkers) + Math.max(0, windowsWorkers - lab.plan.windowsWorkers);

  const apply = async () => {
    // On a refusal the sliders keep the values the user chose, beside the reason.
    if (await scale(lab.name, { linuxWorkers, windowsWorkers })) {
      setLinux(undefined);
      setWindows(undefined);
    }
  };
  return (
    <section className="lab-pools" aria-labelledby={`lab-pools-${lab.name}`}>
      <h3 id={`lab-pools-${lab.name}`}>Node pools</h3>
      <form
        className="lab-pools-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (!blocked && changed && !action) void apply();
        }}
      >
        <div className="lab-form-grid">
          <CountSlider
            path={`pools-${lab.name}-linux`}
            label="Linux workers"
            unit="Linux workers"
            value={linuxWorkers}
            max={LINUX_WORKER_MAX}
            onChange={setLinux}
            hint={`Now ${lab.plan.linuxWorkers}.`}
          />
          <CountSlider
            path={`pools-${lab.name}-windows`}
            label="Windows workers"
            unit="Windows workers"
            value={windowsWorkers}
            max={WINDOWS_WORKER_MAX}
            onChange={setWindows}
            hint={`Now ${lab.plan.windowsWorkers}.`}
            disabledReason={lab.plan.distribution === 'k3s' ? 'Not with k3s: k3s ships a Linux-only agent.' : undefined}
          />
        </div>
        <PoolFormActions
          blocked={blocked}
          changed={changed}
          applying={action === 'scaling'}
          busy={action !== undefined}
          onReset={() => {
            setLinux(undefined);
            setWindows(undefined);
          }}
          changes={[
            adding > 0 ? `${adding} VM(s) to create and join` : '',
            removing > 0 ? `${removing} node(s) to cordon, drain and delete` : '',
          ]}
          idleHint="Move a slider, then Apply."
        />
      </form>
    </section>
  );
}
