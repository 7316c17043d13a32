import type { StateCreator } from 'zustand';
import type { MachineActionRequest, MachineStatus } from '../../../shared/contract';
import { AppError, type SerializedError } from '../../../shared/errors';
import type { AppState, StoreDeps } from '../../store/app-store';

/** A machine action being started (its progress is then the lab's operation). */
export interface MachineActionInFlight {
  machine: string;
  action: MachineActionRequest['action'];
}

/** Day-2 actions on a lab's machines (Maintain, Resume) and the machines' nodes as the cluster shows them. */
export interface MachineActionsSlice {
  machineStatuses: Record<string, MachineStatus[]>;
  machineActionsInFlight: Record<string, MachineActionInFlight>;
  machineActionErrors: Record<string, SerializedError>;
  loadMachineStatuses: (lab: string) => Promise<void>;
  /** True when the operation started. */
  runMachineAction: (lab: string, machine: string, request: MachineActionRequest) => Promise<boolean>;
  dismissMachineActionError: (lab: string) => void;
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
    };
  };
}
