/**
 * Runs the stages in order: model -> filter -> group -> layout -> view. A batch of model changes
 * that moves no box is patched into the previous graph and view (patch.ts); anything else makes
 * a full pass (at most once per frame, the caller batches). Layout: when most boxes have no
 * place yet (the first snapshot, a new context) the quick layout places them at once, and ELK
 * refines them in its worker, unless the user has started working with the map meanwhile
 * (keepPlaces); after that ELK alone runs, only when the skeleton's key changes, one run at a
 * time, always on the latest graph.
 */
import type { TopologyObject } from '../../../shared/contract';
import type { ClientModel } from './client-model';
import { emptyFilter, filterObjects, namespacesOf, type TopologyFilter } from './filter';
import type { IndexedGraph } from './graph-types';
import { buildGraph, DEFAULT_COLLAPSE_ABOVE } from './group';
import { ELK_EDGES_PER_BOX, layoutKey, positionsOf, skeletonOf, toElkGraph, type LayoutEngine, type Point } from './layout';
import { patchGraph } from './patch';
import { quickLayout } from './quick-layout';
import { buildView, emptyView, patchView, type TopologyView } from './view';

export interface PipelineOutput {
  view: TopologyView;
  namespaces: string[];
  counts: { nodes: number; pods: number; shownPods: number };
  /** ELK layout runs finished so far (tests and the benchmark read it). */
  layoutRuns: number;
  /** A layout run is under way. */
  layingOut: boolean;
  /** Where the boxes' places come from: none yet, the quick layout, or ELK. */
  placement: 'none' | 'quick' | 'elk';
  /** Changes when newly laid-out boxes should be brought into view (fit the map). */
  fitGeneration: number;
  /** Changes when ELK moved boxes the quick layout had placed (the same boxes, better places). */
  refinements: number;
}

export interface PipelineOptions {
  collapseAbove?: number;
  maxExpandedPods?: number;
  /** Above this many boxes the map folds what is healthy (simplify.ts). */
  budget?: number;
}

/** Below this share of placed boxes, a full quick layout beats placing the rest one by one. */
const QUICK_LAYOUT_BELOW = 0.5;

const emptyGraph: IndexedGraph = {
  nodes: [],
  edges: [],
  index: { groups: new Map(), folded: new Map(), containers: new Map(), slices: new Map(), slicesFolded: false, pooled: false },
};

export class TopologyPipeline {
  private model: ClientModel | undefined;
  private filter: TopologyFilter = emptyFilter;
  private readonly toggled = new Set<string>();
  private graph: IndexedGraph = emptyGraph;
  private view: TopologyView = emptyView;
  private positions = new Map<string, Point>();
  /** Key of the skeleton the positions are for. */
  private placedKey = '';
  /** Key of the skeleton the quick layout placed, until ELK refines it. */
  private quickKey = '';
  /** Key of a quick layout the user started working with: ELK's refinement of it is not applied. */
  private keptKey = '';
  private layoutInFlight = false;
  private layoutRuns = 0;
  private placement: PipelineOutput['placement'] = 'none';
  private fitGeneration = 0;
  private refinements = 0;
  private namespaces: string[] = [];
  private counts = { nodes: 0, pods: 0, shownPods: 0 };
  private engine: LayoutEngine | undefined;
  /** The filter or an expansion changed since the last pass: patching is not enough. */
  private needsFullPass = true;
  /** Bumped by each new model, so a layout run for the previous one is not applied to it. */
  private modelGeneration = 0;

  constructor(
    private readonly createEngine: () => LayoutEngine,
    private readonly onOutput: (output: PipelineOutput) => void,
    private readonly options: PipelineOptions = {},
  ) {}

  setModel(model: ClientModel | undefined): void {
    this.model = model;
    this.modelGeneration += 1;
    this.toggled.clear();
    this.positions = new Map();
    this.placedKey = '';
    this.quickKey = '';
    this.keptKey = '';
    this.placement = 'none';
    this.view = emptyView;
    this.graph = emptyGraph;
    this.needsFullPass = true;
    this.update();
  }

  setFilter(filter: TopologyFilter): void {
    this.filter = filter;
    this.needsFullPass = true;
    this.update();
  }

  /** Expands a collapsed group or collapses an expanded one. */
  toggle(groupId: string): void {
    if (!this.toggled.delete(groupId)) this.toggled.add(groupId);
    this.needsFullPass = true;
    this.update();
  }

  /**
   * The user started working with the map (selected a box, panned or zoomed) while ELK refines
   * the quick layout: the refinement would move every box under them (issue #17: the map seemed
   * to lay itself out again when the details panel opened), so the boxes keep their quick places
   * until the skeleton changes.
   */
  keepPlaces(): void {
    if (this.placement !== 'quick' || this.quickKey === '') return;
    this.keptKey = this.quickKey;
    this.quickKey = '';
  }

  object(uid: string): TopologyObject | undefined {
    return this.model?.objects.get(uid);
  }

  /** Runs the stages after a model, filter or expansion change. */
  update(): void {
    const model = this.model;
    const taken = model?.takeChanges();
    if (model && taken && !taken.reloaded && !this.needsFullPass) {
      const patch = patchGraph(this.graph, taken.changes, (uid) => model.objects.get(uid), {
        filter: this.filter,
        collapseAbove: this.options.collapseAbove ?? DEFAULT_COLLAPSE_ABOVE,
        toggled: this.toggled,
      });
      if (patch) {
        this.graph = patch.graph;
        this.counts = { ...this.counts, pods: this.counts.pods + patch.podDelta };
        if (patch.addedOrDeleted) this.namespaces = namespacesOf(model.objects.values());
        this.view = patchView(this.view, patch.graph, patch.changed);
        this.output();
        return;
      }
    }
    this.fullPass();
  }

  private fullPass(): void {
    this.needsFullPass = false;
    const objects = this.model ? [...this.model.objects.values()] : [];
    this.namespaces = namespacesOf(objects);
    const { objects: visible, matches } = filterObjects(objects, this.filter);
    this.graph = buildGraph(visible, {
      toggled: this.toggled,
      matches,
      collapseAbove: this.options.collapseAbove,
      maxExpandedPods: this.options.maxExpandedPods,
      budget: this.options.budget,
      folded: this.graph.index.slicesFolded,
    });
    let pods = 0;
    let nodes = 0;
    let shownPods = 0;
    for (const object of visible) {
      if (object.kind === 'Pod') pods += 1;
      else if (object.kind === 'Node') nodes += 1;
    }
    for (const node of this.graph.nodes) if (node.type === 'pod') shownPods += 1;
    this.counts = { nodes, pods, shownPods };
    const key = layoutKey(this.graph);
    if (key !== this.placedKey) {
      if (this.graph.nodes.length === 0) {
        // Nothing to place (no context yet, or an empty cluster): no layout run.
        this.positions = new Map();
        this.placedKey = key;
      } else {
        if (this.placedShare() < QUICK_LAYOUT_BELOW) this.placeQuickly(key);
        this.requestLayout();
      }
    }
    this.emit();
  }

  /** How many of the skeleton's boxes have a place. */
  private placedShare(): number {
    const boxes = skeletonOf(this.graph).nodes;
    if (boxes.length === 0) return 1;
    return boxes.filter((node) => this.positions.has(node.id)).length / boxes.length;
  }

  private placeQuickly(key: string): void {
    this.positions = positionsOf(quickLayout(toElkGraph(this.graph)));
    this.placedKey = key;
    this.quickKey = key;
    this.keptKey = '';
    this.placement = 'quick';
    this.fitGeneration += 1;
  }

  private emit(): void {
    this.view = buildView(this.graph, this.positions, this.view);
    this.output();
  }

  private output(): void {
    this.onOutput({
      view: this.view,
      namespaces: this.namespaces,
      counts: this.counts,
      layoutRuns: this.layoutRuns,
      layingOut: this.layoutInFlight,
      placement: this.placement,
      fitGeneration: this.fitGeneration,
      refinements: this.refinements,
    });
  }

  /** The skeleton changed since it was placed, or only the quick layout placed it so far. */
  private wantsLayout(): boolean {
    const key = layoutKey(this.graph);
    return key !== this.placedKey || key === this.quickKey;
  }

  private requestLayout(): void {
    if (this.layoutInFlight || this.graph.nodes.length === 0) return;
    this.layoutInFlight = true;
    const graph = this.graph;
    const key = layoutKey(graph);
    const generation = this.modelGeneration;
    this.engine ??= this.createEngine();
    this.engine.layout(toElkGraph(graph, ELK_EDGES_PER_BOX)).then(
      (laidOut) => {
        this.layoutInFlight = false;
        if (generation !== this.modelGeneration) {
          // Laid out for the previous model: useless now, but the current one may need a run.
          if (this.wantsLayout()) this.requestLayout();
          return;
        }
        this.layoutRuns += 1;
        if (key === this.keptKey) {
          this.keptKey = '';
          if (this.wantsLayout()) this.requestLayout();
          this.output();
          return;
        }
        this.keptKey = '';
        this.positions = positionsOf(laidOut);
        this.placedKey = key;
        this.placement = 'elk';
        if (key === this.quickKey) this.refinements += 1;
        else this.fitGeneration += 1;
        this.quickKey = '';
        // The graph may have moved on while ELK worked: lay out again if its key changed.
        if (this.wantsLayout()) this.requestLayout();
        this.emit();
      },
      () => {
        this.layoutInFlight = false;
        if (generation !== this.modelGeneration) return;
        this.placedKey = key;
        this.emit();
      },
    );
  }
}
