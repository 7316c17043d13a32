import type { StateCreator } from 'zustand';
import type { TopologyDelta, TopologyEvent, TopologyObject, TopologyStatus } from '../../../shared/contract';
import { AppError, type SerializedError } from '../../../shared/errors';
import { ClientModel } from './client-model';
import { emptyFilter, type TopologyFilter } from './filter';
import { FrameBatcher, type ScheduleFrame } from './frame-batcher';
import type { GraphNode } from './graph-types';
import type { LayoutEngine } from './layout';
import { TopologyPipeline, type PipelineOutput } from './pipeline';
import { emptyView } from './view';
import type { AppState, StoreDeps } from '../../store/app-store';

/** What the details panel shows about the selected box. */
export interface TopologyDetails {
  node: GraphNode;
  object?: TopologyObject;
  events:
    { state: 'loading' } | { state: 'loaded'; events: TopologyEvent[] } | { state: 'failed'; error: SerializedError } | { state: 'none' };
}

export interface TopologyState {
  context: string | undefined;
  phase: 'idle' | 'loading' | 'live' | 'failed';
  status: TopologyStatus | undefined;
  error: SerializedError | undefined;
  output: PipelineOutput;
  filter: TopologyFilter;
  details: TopologyDetails | undefined;
  /** Contexts the topology service can open. */
  contexts: string[];
}

export interface TopologySlice {
  topology: TopologyState;
  loadTopologyContexts: () => Promise<void>;
  openTopology: (context: string) => Promise<void>;
  closeTopology: () => Promise<void>;
  receiveTopologyDelta: (delta: TopologyDelta) => void;
  receiveTopologyStatus: (status: TopologyStatus) => void;
  setTopologyFilter: (patch: Partial<TopologyFilter>) => void;
  toggleTopologyGroup: (groupId: string) => void;
  selectTopologyNode: (node: GraphNode | undefined) => Promise<void>;
  /** The user panned or zoomed the map: its boxes stay where they are (no refinement moves them). */
  keepTopologyPlaces: () => void;
}

export interface TopologySliceOptions {
  /** Default: elkjs in a web worker. */
  createLayoutEngine?: () => LayoutEngine;
  /** Default: requestAnimationFrame. */
  scheduleFrame?: ScheduleFrame;
}

const emptyOutput: PipelineOutput = {
  view: emptyView,
  namespaces: [],
  counts: { nodes: 0, pods: 0, shownPods: 0 },
  layoutRuns: 0,
  layingOut: false,
  placement: 'none',
  fitGeneration: 0,
  refinements: 0,
};

export function createTopologySlice(deps: StoreDeps, options: TopologySliceOptions = {}): StateCreator<AppState, [], [], TopologySlice> {
  return (set, get) => {
    // This domain's events, from the start: every page follows them (store/app-store.ts says how slices wire events).
    deps.api.topology.onDidChange((delta) => get().receiveTopologyDelta(delta));
    deps.api.topology.onDidChangeStatus((status) => get().receiveTopologyStatus(status));
    const patch = (change: Partial<TopologyState>) => set((state) => ({ topology: { ...state.topology, ...change } }));
    let model: ClientModel | undefined;
    /** Deltas that arrive while the snapshot loads. */
    let early: TopologyDelta[] | undefined;
    let loadToken = 0;

    const createEngine =
      options.createLayoutEngine ??
      (() => {
        // Loaded on first use so that the store can be built where there are no workers (unit tests).
        let engine: Promise<LayoutEngine> | undefined;
        return {
          layout: async (graph) => {
            engine ??= import('./elk-engine').then((module) => module.createElkWorkerEngine());
            return (await engine).layout(graph);
          },
        };
      });
    const pipeline = new TopologyPipeline(createEngine, (output) => {
      patch({ output });
      refreshDetails();
    });

    // The panel follows its box: its object, and what the box says (expanded or not: the panel's
    // button opens or folds it; pool and namespace boxes have no object).
    const refreshDetails = () => {
      const details = get().topology.details;
      if (!details) return;
      const object = details.node.uid ? pipeline.object(details.node.uid) : undefined;
      const node = get().topology.output.view.nodes.find((candidate) => candidate.id === details.node.id)?.data ?? details.node;
      if (object !== details.object || node !== details.node) patch({ details: { ...details, node, object } });
    };

    const batcher = new FrameBatcher<TopologyDelta>((deltas) => {
      if (!model) return;
      for (const delta of deltas) {
        if (model.apply(delta) === 'gap') {
          void reload(model.context);
          return;
        }
      }
      pipeline.update();
    }, options.scheduleFrame);

    const reload = async (context: string) => {
      const token = ++loadToken;
      early = [];
      batcher.clear();
      patch({ phase: model ? get().topology.phase : 'loading', error: undefined });
      try {
        const status = await deps.api.topology.watch(context);
        if (token !== loadToken) return;
        patch({ status });
        let page = await deps.api.topology.snapshot(context);
        const objects = [...page.objects];
        while (page.nextCursor) {
          page = await deps.api.topology.snapshot(context, page.nextCursor);
          objects.push(...page.objects);
        }
        if (token !== loadToken) return;
        const next = new ClientModel(context);
        next.load(objects, page.revision);
        for (const delta of early ?? []) next.apply(delta);
        early = undefined;
        const replacing = model?.context === context;
        model = next;
        if (replacing) pipeline.update();
        else pipeline.setModel(next);
        patch({ phase: 'live', status: page.status });
      } catch (error) {
        if (token !== loadToken) return;
        early = undefined;
        patch({ phase: 'failed', error: AppError.from(error).toJSON() });
      }
    };

    return {
      topology: {
        context: undefined,
        phase: 'idle',
        status: undefined,
        error: undefined,
        output: emptyOutput,
        filter: emptyFilter,
        details: undefined,
        contexts: [],
      },
      loadTopologyContexts: async () => {
        try {
          patch({ contexts: await deps.api.topology.contexts() });
        } catch {
          patch({ contexts: [] });
        }
      },
      openTopology: async (context) => {
        const previous = get().topology.context;
        if (previous && previous !== context) void deps.api.topology.unwatch(previous).catch(() => undefined);
        if (previous !== context) {
          model = undefined;
          pipeline.setModel(undefined);
          patch({ context, details: undefined, status: undefined, phase: 'loading' });
        }
        await reload(context);
      },
      closeTopology: async () => {
        const context = get().topology.context;
        loadToken += 1;
        model = undefined;
        pipeline.setModel(undefined);
        patch({ context: undefined, phase: 'idle', status: undefined, details: undefined });
        if (context) await deps.api.topology.unwatch(context).catch(() => undefined);
      },
      receiveTopologyDelta: (delta) => {
        if (delta.context !== get().topology.context) return;
        if (early) early.push(delta);
        else batcher.push(delta);
      },
      receiveTopologyStatus: (status) => {
        if (status.context === get().topology.context) patch({ status });
      },
      setTopologyFilter: (change) => {
        const filter = { ...get().topology.filter, ...change };
        patch({ filter });
        pipeline.setFilter(filter);
      },
      toggleTopologyGroup: (groupId) => pipeline.toggle(groupId),
      keepTopologyPlaces: () => pipeline.keepPlaces(),
      selectTopologyNode: async (node) => {
        if (!node) {
          patch({ details: undefined });
          return;
        }
        // The panel opens beside the boxes the user is looking at: they stay where they are.
        pipeline.keepPlaces();
        const object = node.uid ? pipeline.object(node.uid) : undefined;
        const context = get().topology.context;
        const canAsk = Boolean(object && context && object.kind !== 'EndpointSlice');
        patch({ details: { node, object, events: canAsk ? { state: 'loading' } : { state: 'none' } } });
        if (!canAsk || !object || !context) return;
        try {
          const events = await deps.api.topology.recentEvents(context, {
            kind: object.kind,
            name: object.name,
            namespace: object.namespace,
          });
          if (get().topology.details?.node.id === node.id)
            patch({ details: { ...get().topology.details!, events: { state: 'loaded', events } } });
        } catch (error) {
          if (get().topology.details?.node.id === node.id) {
            patch({ details: { ...get().topology.details!, events: { state: 'failed', error: AppError.from(error).toJSON() } } });
          }
        }
      },
    };
  };
}
