import type { StateCreator } from 'zustand';
import type { MachineActionRequest, MachineStatus, SelfHealingSettings } from '../../../shared/contract';
import { AppError, type SerializedError } from '../../../shared/errors';
import type { AppState, StoreDeps } from '../../store/app-store';

/** A machine action being started (its progress is then the lab's operation). */
export interface MachineActionInFlight {
  machine: string;
  action: MachineActionRequest['action'];
}

/** Day-2 actions on a lab's machines (Maintain, Resume, power, recreate, drill), their nodes and VMs as they are now, self-healing's settings. */
export interface MachineActionsSlice {
  machineStatuses: Record<string, MachineStatus[]>;
  machineActionsInFlight: Record<string, MachineActionInFlight>;
  machineActionErrors: Record<string, SerializedError>;
  loadMachineStatuses: (lab: string) => Promise<void>;
  /** True when the operation started. */
  runMachineAction: (lab: string, machine: string, request: MachineActionRequest) => Promise<boolean>;
  dismissMachineActionError: (lab: string) => void;
  /** Why the last change of a lab's self-healing settings was refused. */
  selfHealingErrors: Record<string, SerializedError>;
  /** True when the settings were taken. */
  setSelfHealing: (lab: string, settings: SelfHealingSettings) => Promise<boolean>;
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  const next = { ...record };
  delete next[key];
  return next;
}

export function createMachineActionsSlice(deps: StoreDeps): StateCreator<AppState, [], [], MachineActionsSlice> {
  return (set, get) => {
    const api = deps.api.labs;
    return {
      machineStatuses: {},
      machineActionsInFlight: {},
      machineActionErrors: {},
      loadMachineStatuses: async (lab) => {
        try {
          const statuses = await api.machineStatuses(lab);
          set({ machineStatuses: { ...get().machineStatuses, [lab]: statuses } });
        } catch {
          // The statuses are a view of the moment; the next load tries again, and the lab shows its own errors.
        }
      },
      runMachineAction: async (lab, machine, request) => {
        set({
          machineActionsInFlight: { ...get().machineActionsInFlight, [lab]: { machine, action: request.action } },
          machineActionErrors: without(get().machineActionErrors, lab),
        });
        try {
          get().receiveLab(await api.machineAction(lab, machine, request));
          return true;
        } catch (error) {
          set({ machineActionErrors: { ...get().machineActionErrors, [lab]: AppError.from(error).toJSON() } });
          return false;
        } finally {
          set({ machineActionsInFlight: without(get().machineActionsInFlight, lab) });
        }
      },
      dismissMachineActionError: (lab) => set({ machineActionErrors: without(get().machineActionErrors, lab) }),
      selfHealingErrors: {},
      setSelfHealing: async (lab, settings) => {
        set({ selfHealingErrors: without(get().selfHealingErrors, lab) });
        try {
          get().receiveLab(await api.setSelfHealing(lab, settings));
          return true;
        } catch (error) {
          set({ selfHealingErrors: { ...get().selfHealingErrors, [lab]: AppError.from(error).toJSON() } });
          return false;
        }
      },
    };
  };
}
