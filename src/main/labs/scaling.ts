/**
 * A scale request as a new plan and machine list: new worker counts, or (existing machines) a new
 * machine list with the same control planes. Workers are added at the end of the lab's machines;
 * removed ones stay in the list (`removing`) until the scale operation has drained and deleted
 * them.
 */
import type { LabMachine, LabPlan, ScaleRequest } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import { machinesOf, normalizePlan } from './machines';

/** The plan after a scale request (INVALID_ARGUMENT when existing machines change their control planes). */
export function scaledPlan(plan: LabPlan, request: ScaleRequest): LabPlan {
  if (plan.driver !== 'existing') {
    return { ...plan, linuxWorkers: request.linuxWorkers, windowsWorkers: request.windowsWorkers };
  }
  const machines = request.existingMachines;
  const controlPlanes = (list: readonly { hostId: string; role: string }[]) =>
    list
      .filter((machine) => machine.role === 'control-plane')
      .map((machine) => machine.hostId)
      .sort()
      .join(',');
  if (machines === undefined || controlPlanes(machines) !== controlPlanes(plan.existingMachines ?? [])) {
    throw new AppError(
      'INVALID_ARGUMENT',
      'A lab of existing machines scales by its machine list: send existingMachines with the same control planes and the workers to keep or add.',
      { field: 'existingMachines' },
    );
  }
  return normalizePlan({ ...plan, existingMachines: machines });
}

/** How the lab's machines change for the scaled plan: the machines it keeps or adds, those added, and those to remove (names). */
export function scaleMachines(
  machines: readonly LabMachine[],
  plan: LabPlan,
): { target: LabMachine[]; added: LabMachine[]; removing: string[] } {
  const target = machinesOf(plan, machines);
  const added = target.filter((machine) => !machines.some((known) => known.name === machine.name));
  const removing = machines.filter((machine) => !target.some((kept) => kept.name === machine.name)).map((machine) => machine.name);
  return { target, added, removing };
}
