import type { StateCreator } from 'zustand';
import type { BlueGreenPair, BlueGreenSide, CreateGreenRequest } from '../../../shared/contract';
import { AppError, type SerializedError } from '../../../shared/errors';
import type { AppState, StoreDeps } from '../../store/app-store';

/** A blue/green call in flight, by the blue lab's name. */
export type BlueGreenAction = 'creating' | 'preparing' | 'switching' | 'removing';

/** Blue/green pairs: the green lab made from a blue one, and the front door switched between them. */
export interface BlueGreenSlice {
  /** Undefined until loaded. */
  blueGreenPairs?: BlueGreenPair[];
  blueGreenActions: Record<string, BlueGreenAction>;
  /** By the lab whose panel made the call. */
  blueGreenErrors: Record<string, SerializedError>;
  loadBlueGreenPairs: () => Promise<void>;
  /** True when the green lab started. */
  createGreenLab: (request: CreateGreenRequest) => Promise<boolean>;
  prepareBlueGreen: (blue: string) => Promise<void>;
  switchBlueGreen: (blue: string, side: BlueGreenSide) => Promise<void>;
  removeBlueGreen: (blue: string) => Promise<void>;
  receiveBlueGreenPair: (pair: BlueGreenPair) => void;
  receiveBlueGreenRemoved: (event: { blue: string }) => void;
  dismissBlueGreenError: (lab: string) => void;
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  const next = { ...record };
  delete next[key];
  return next;
}

export function createBlueGreenSlice(deps: StoreDeps): StateCreator<AppState, [], [], BlueGreenSlice> {
  return (set, get) => {
    const api = deps.api.blueGreen;
    // This domain's events, from the start: every page follows them (store/app-store.ts says how slices wire events).
    api.onDidChangePair((pair) => get().receiveBlueGreenPair(pair));
    api.onDidRemovePair((event) => get().receiveBlueGreenRemoved(event));
    const receive = (pair: BlueGreenPair) => {
      const pairs = get().blueGreenPairs ?? [];
      set({
        blueGreenPairs: pairs.some((known) => known.blue === pair.blue)
          ? pairs.map((known) => (known.blue === pair.blue ? pair : known))
          : [...pairs, pair],
      });
    };
    /** Runs one call for a pair: marks it busy, keeps its error for the panel of `lab`. */
    const act = async <T>(blue: string, lab: string, action: BlueGreenAction, call: () => Promise<T>): Promise<T | undefined> => {
      set({ blueGreenActions: { ...get().blueGreenActions, [blue]: action }, blueGreenErrors: without(get().blueGreenErrors, lab) });
      try {
        return await call();
      } catch (error) {
        set({ blueGreenErrors: { ...get().blueGreenErrors, [lab]: AppError.from(error).toJSON() } });
        return undefined;
      } finally {
        set({ blueGreenActions: without(get().blueGreenActions, blue) });
      }
    };
    return {
      blueGreenActions: {},
      blueGreenErrors: {},
      loadBlueGreenPairs: async () => {
        try {
          set({ blueGreenPairs: await api.list() });
        } catch {
          // The panel offers to create a pair either way; the next connection loads them again.
        }
      },
      createGreenLab: async (request) => {
        const pair = await act(request.blue, request.blue, 'creating', () => api.createGreen(request));
        if (pair) receive(pair);
        return pair !== undefined;
      },
      prepareBlueGreen: async (blue) => {
        const pair = await act(blue, blue, 'preparing', () => api.prepare(blue));
        if (pair) receive(pair);
      },
      switchBlueGreen: async (blue, side) => {
        const pair = await act(blue, blue, 'switching', () => api.switchTo(blue, side));
        if (pair) receive(pair);
      },
      removeBlueGreen: async (blue) => {
        const removed = await act(blue, blue, 'removing', async () => {
          await api.remove(blue);
          return true;
        });
        if (removed) get().receiveBlueGreenRemoved({ blue });
      },
      receiveBlueGreenPair: receive,
      receiveBlueGreenRemoved: ({ blue }) => set({ blueGreenPairs: (get().blueGreenPairs ?? []).filter((pair) => pair.blue !== blue) }),
      dismissBlueGreenError: (lab) => set({ blueGreenErrors: without(get().blueGreenErrors, lab) }),
    };
  };
}
