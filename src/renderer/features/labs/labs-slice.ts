import type { StateCreator } from 'zustand';
import type {
  LabLogBatch,
  LabLogLine,
  LabPlan,
  LabSummary,
  NetworkProposal,
  PlanCheck,
  PlannedStep,
  ScaleRequest,
} from '../../../shared/contract';
import { AppError, type SerializedError } from '../../../shared/errors';
import {
  applyEdit,
  errorsFromProblems,
  networkDraft,
  newLabDraft,
  planFromDraft,
  typedAfterEdit,
  type DraftErrors,
  type DraftField,
  type LabDraft,
  type NetworkLayoutField,
} from './lab-form';
import type { AppState, StoreDeps } from '../../store/app-store';

/** Lines kept per lab: as many as the service keeps, so filtering by step or VM here loses nothing. */
export const LAB_LOG_LIMIT = 5000;

/** The plan form. It lives in the store, so what was typed survives errors and a trip to another view. */
export interface LabPlanForm {
  draft: LabDraft;
  /** Set once the user asked for a check, dry run or create: the form's own errors show from then on. */
  attempted: boolean;
  /** Problems from the service's last answer, by field; editing a field clears its entry. */
  serverErrors: DraftErrors;
  /** The last capacity check (arithmetic and problems). */
  check?: PlanCheck;
  /** The last dry run's steps. */
  dryRun?: PlannedStep[];
  /** Layout fields (pool, LoadBalancer range, endpoint address) the user typed: a new network leaves them as they are. */
  typedNetworkFields?: NetworkLayoutField[];
  /** The chosen host's next free ranges (the draft's network fields were filled from it). */
  networkProposal?: NetworkProposal;
  /** Why the chosen host's free ranges could not be found. */
  networkProposalError?: SerializedError;
  busy?: 'checking' | 'dry-run' | 'creating';
  /** A failure that is not about a field (the service was unreachable...). */
  error?: SerializedError;
}

/** An action on one lab whose call is in flight. */
export type LabAction = 'resuming' | 'cancelling' | 'scaling' | 'removing';

export interface LabsSlice {
  labs: LabSummary[] | undefined;
  labsError: SerializedError | undefined;
  /** The lab whose detail is shown. */
  openLab: string | undefined;
  /** Log lines by lab, oldest first, at most LAB_LOG_LIMIT. */
  labLogs: Record<string, LabLogLine[]>;
  labActions: Record<string, LabAction>;
  /** The last refused action of each lab (a scale over capacity, a resume of a finished lab...). */
  labErrors: Record<string, SerializedError>;
  labPlanForm: LabPlanForm | undefined;
  loadLabs: () => Promise<void>;
  receiveLab: (lab: LabSummary) => void;
  receiveLabRemoved: (event: { name: string }) => void;
  receiveLabLogs: (batch: LabLogBatch) => void;
  /** Every line the service still has for a lab (the view filters by step and VM). */
  loadLabLogs: (name: string) => Promise<void>;
  openLabDetail: (name: string | undefined) => void;
  startLabPlan: () => void;
  editLabDraft: <K extends DraftField>(field: K, value: LabDraft[K]) => void;
  closeLabPlan: () => void;
  /** Ask the service for the chosen host's next free ranges and put them in the draft. */
  proposeLabNetwork: () => Promise<void>;
  checkLabPlan: () => Promise<void>;
  dryRunLabPlan: () => Promise<void>;
  /** Check, then create; true when the lab started (the form closes and the lab opens). */
  createLab: () => Promise<boolean>;
  resumeLab: (name: string) => Promise<void>;
  cancelLab: (name: string) => Promise<void>;
  /** True when the scale started. */
  scaleLab: (name: string, request: ScaleRequest) => Promise<boolean>;
  removeLab: (name: string) => Promise<boolean>;
  dismissLabError: (name?: string) => void;
}

const serialize = (error: unknown): SerializedError => AppError.from(error).toJSON();

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  const next = { ...record };
  delete next[key];
  return next;
}

const time = (iso: string) => Date.parse(iso) || 0;

/** Puts a summary in the list unless the list already has a newer one (events can overtake a list answer). */
export function mergeLab(labs: readonly LabSummary[], lab: LabSummary): LabSummary[] {
  const index = labs.findIndex((candidate) => candidate.name === lab.name);
  if (index < 0) return [...labs, lab].sort((a, b) => a.name.localeCompare(b.name));
  if (time(lab.updatedAt) < time(labs[index]!.updatedAt)) return [...labs];
  return labs.map((candidate, i) => (i === index ? lab : candidate));
}

const lineKey = (line: LabLogLine) => [line.at, line.stepId, line.vm ?? '', line.stream, line.text].join('\u0000');

type Journal = ({ kind: 'change'; lab: LabSummary } | { kind: 'remove'; name: string })[];

export function createLabsSlice(deps: StoreDeps): StateCreator<AppState, [], [], LabsSlice> {
  return (set, get) => {
    const api = deps.api.labs;
    // This domain's events, from the start: every page follows them (store/app-store.ts says how slices wire events).
    api.onDidChangeLab((lab) => get().receiveLab(lab));
    api.onDidAppendLog((batch) => get().receiveLabLogs(batch));
    api.onDidRemoveLab((event) => get().receiveLabRemoved(event));
    // Events that arrive while list() is in flight are replayed on its answer, so none is lost.
    let journal: Journal | undefined;
    // Lines a logs() answer already holds that may still arrive as events (the service batches
    // its events), by lab: consumed in order, dropped at the first line the answer did not have.
    const overlap = new Map<string, Map<string, number>>();
    const liveDuringLoad = new Map<string, LabLogLine[]>();

    const setForm = (patch: Partial<LabPlanForm>) => {
      const form = get().labPlanForm;
      if (form) set({ labPlanForm: { ...form, ...patch } });
    };
    const setAction = (name: string, action: LabAction | undefined) =>
      set({ labActions: action ? { ...get().labActions, [name]: action } : without(get().labActions, name) });
    /** Runs one lab action; a refusal is kept for the lab's panel. */
    const act = async <T>(name: string, action: LabAction, call: () => Promise<T>): Promise<T | undefined> => {
      setAction(name, action);
      set({ labErrors: without(get().labErrors, name) });
      try {
        return await call();
      } catch (error) {
        set({ labErrors: { ...get().labErrors, [name]: serialize(error) } });
        return undefined;
      } finally {
        setAction(name, undefined);
      }
    };
    /**
     * Runs one form action on the draft's plan: marks the form attempted, stops at the form's own
     * errors, and keeps any failure on the form (at its field when the error names one).
     */
    const withPlan = async <T>(busy: NonNullable<LabPlanForm['busy']>, run: (plan: LabPlan) => Promise<T>): Promise<T | undefined> => {
      const form = get().labPlanForm;
      if (!form || form.busy) return undefined;
      const { plan } = planFromDraft(form.draft);
      setForm({ attempted: true, error: undefined });
      if (!plan) return undefined;
      setForm({ busy });
      try {
        return await run(plan);
      } catch (error) {
        const serialized = serialize(error);
        const field = serialized.details?.field;
        if (typeof field === 'string') setForm({ serverErrors: { ...get().labPlanForm?.serverErrors, [field]: serialized.message } });
        else setForm({ error: serialized });
        return undefined;
      } finally {
        setForm({ busy: undefined });
      }
    };
    const appendLines = (lab: string, lines: readonly LabLogLine[]) => {
      if (lines.length === 0) return;
      const next = [...(get().labLogs[lab] ?? []), ...lines];
      set({ labLogs: { ...get().labLogs, [lab]: next.length > LAB_LOG_LIMIT ? next.slice(-LAB_LOG_LIMIT) : next } });
    };
    /** Drops the leading lines of a batch that the last logs() answer already had. */
    const fresh = (lab: string, lines: readonly LabLogLine[]): readonly LabLogLine[] => {
      const seen = overlap.get(lab);
      if (!seen) return lines;
      let index = 0;
      for (; index < lines.length; index += 1) {
        const key = lineKey(lines[index]!);
        const count = seen.get(key) ?? 0;
        if (count === 0) break;
        seen.set(key, count - 1);
      }
      if (index < lines.length) overlap.delete(lab);
      return index === 0 ? lines : lines.slice(index);
    };

    /** The draft takes the proposal only while it is still for the chosen host (the user may have picked another meanwhile). */
    const proposeLabNetwork = async () => {
      const form = get().labPlanForm;
      const hostId = form?.draft.hostId;
      if (!form || hostId === undefined || hostId === '') return;
      setForm({ networkProposal: undefined, networkProposalError: undefined });
      const before = form.draft;
      try {
        const proposal = await api.proposeNetwork(hostId);
        const current = get().labPlanForm;
        if (current?.draft.hostId !== hostId) return;
        const allocated = networkDraft(proposal.network, proposal.apiEndpointAddress);
        const draft = { ...current.draft };
        let typed = current.typedNetworkFields ?? [];
        for (const [field, value] of Object.entries(allocated) as [keyof typeof allocated, string][]) {
          // What the user typed while the answer travelled stays; a bridged lab lives on the host's
          // LAN, which the user typed: only the cluster's own ranges are taken over.
          const bridged = current.draft['network.mode'] === 'bridge' && field !== 'network.podCidr' && field !== 'network.serviceCidr';
          if (!bridged && current.draft[field] === before[field]) {
            draft[field] = value;
            typed = typed.filter((entry) => entry !== field);
          }
        }
        setForm({ draft, networkProposal: proposal, typedNetworkFields: typed });
      } catch (error) {
        if (get().labPlanForm?.draft.hostId === hostId) setForm({ networkProposalError: serialize(error) });
      }
    };

    const receiveLab = (lab: LabSummary) => {
      journal?.push({ kind: 'change', lab });
      set({ labs: mergeLab(get().labs ?? [], lab) });
    };
    const receiveLabRemoved = ({ name }: { name: string }) => {
      journal?.push({ kind: 'remove', name });
      overlap.delete(name);
      set({
        labs: get().labs?.filter((lab) => lab.name !== name),
        labLogs: without(get().labLogs, name),
        labActions: without(get().labActions, name),
        labErrors: without(get().labErrors, name),
        openLab: get().openLab === name ? undefined : get().openLab,
      });
    };

    return {
      labs: undefined,
      labsError: undefined,
      openLab: undefined,
      labLogs: {},
      labActions: {},
      labErrors: {},
      labPlanForm: undefined,

      loadLabs: async () => {
        const events: Journal = [];
        journal = events;
        try {
          const labs = await api.list();
          set({ labs: [...labs].sort((a, b) => a.name.localeCompare(b.name)), labsError: undefined });
        } catch (error) {
          set({ labsError: serialize(error) });
        } finally {
          if (journal === events) journal = undefined;
        }
        for (const event of events) {
          if (event.kind === 'change') set({ labs: mergeLab(get().labs ?? [], event.lab) });
          else set({ labs: get().labs?.filter((lab) => lab.name !== event.name) });
        }
      },
      receiveLab,
      receiveLabRemoved,
      receiveLabLogs: (batch) => {
        liveDuringLoad.get(batch.lab)?.push(...batch.lines);
        appendLines(batch.lab, fresh(batch.lab, batch.lines));
      },
      loadLabLogs: async (name) => {
        const live: LabLogLine[] = [];
        liveDuringLoad.set(name, live);
        let history: LabLogLine[];
        try {
          history = await api.logs(name, { limit: LAB_LOG_LIMIT });
        } catch (error) {
          set({ labErrors: { ...get().labErrors, [name]: serialize(error) } });
          return;
        } finally {
          if (liveDuringLoad.get(name) === live) liveDuringLoad.delete(name);
        }
        const seen = new Map<string, number>();
        for (const line of history) seen.set(lineKey(line), (seen.get(lineKey(line)) ?? 0) + 1);
        overlap.set(name, seen);
        // Lines that arrived while the answer travelled: keep those the answer did not have.
        const missed = fresh(name, live);
        const lines = [...history, ...missed];
        set({ labLogs: { ...get().labLogs, [name]: lines.slice(-LAB_LOG_LIMIT) } });
      },
      openLabDetail: (name) => set({ openLab: name }),

      startLabPlan: () => {
        if (get().labPlanForm) return;
        set({ labPlanForm: { draft: newLabDraft(get().hosts ?? [], get().labs ?? []), attempted: false, serverErrors: {} } });
        void proposeLabNetwork();
      },
      editLabDraft: (field, value) => {
        const form = get().labPlanForm;
        if (!form) return;
        const serverErrors = field in form.serverErrors ? without(form.serverErrors, field) : form.serverErrors;
        const typed = form.typedNetworkFields ?? [];
        setForm({
          draft: applyEdit(form.draft, field, value, get().hosts ?? [], typed),
          serverErrors,
          typedNetworkFields: typedAfterEdit(typed, field, value),
        });
        if (field === 'hostId' && value !== form.draft.hostId) void proposeLabNetwork();
      },
      closeLabPlan: () => set({ labPlanForm: undefined }),
      proposeLabNetwork,
      checkLabPlan: async () => {
        await withPlan('checking', async (plan) => {
          const check = await api.checkPlan(plan);
          setForm({ check, serverErrors: errorsFromProblems(check.problems) });
        });
      },
      dryRunLabPlan: async () => {
        setForm({ dryRun: undefined });
        await withPlan('dry-run', async (plan) => {
          const result = await api.dryRun(plan);
          if (result.status === 'ok') setForm({ dryRun: result.steps, serverErrors: {} });
          else setForm({ serverErrors: errorsFromProblems(result.problems) });
        });
      },
      createLab: async () =>
        (await withPlan('creating', async (plan) => {
          // The check first, so a refusal shows its arithmetic before anything is saved.
          const check = await api.checkPlan(plan);
          setForm({ check, serverErrors: errorsFromProblems(check.problems) });
          if (!check.ok) return false;
          const result = await api.create(plan);
          if (result.status === 'refused') {
            setForm({ check: result.check, serverErrors: errorsFromProblems(result.check.problems) });
            return false;
          }
          receiveLab(result.lab);
          set({ labPlanForm: undefined, openLab: result.lab.name });
          return true;
        })) === true,

      resumeLab: async (name) => {
        const lab = await act(name, 'resuming', () => api.resume(name));
        if (lab) receiveLab(lab);
      },
      cancelLab: async (name) => {
        await act(name, 'cancelling', () => api.cancel(name));
      },
      scaleLab: async (name, request) => {
        const lab = await act(name, 'scaling', () => api.scale(name, request));
        if (lab) receiveLab(lab);
        return lab !== undefined;
      },
      removeLab: async (name) => {
        const lab = await act(name, 'removing', () => api.remove(name));
        if (lab && get().labs?.some((candidate) => candidate.name === name)) receiveLab(lab);
        return lab !== undefined;
      },
      dismissLabError: (name) => (name === undefined ? set({ labsError: undefined }) : set({ labErrors: without(get().labErrors, name) })),
    };
  };
}
