/**
 * Runs the stages in order: model -> filter -> group -> layout -> view. Cheap stages run on every
 * model change (at most once per frame, the caller batches); the layout runs only when the
 * skeleton's key changes, one run at a time, always on the latest graph.
 */
import type { TopologyObject } from '../../../shared/contract';
import type { ClientModel } from './client-model';
import { emptyFilter, filterObjects, namespacesOf, type TopologyFilter } from './filter';
import type { TopologyGraph } from './graph-types';
import { buildGraph } from './group';
import { layoutKey, positionsOf, toElkGraph, type LayoutEngine, type Point } from './layout';
import { buildView, emptyView, type TopologyView } from './view';

export interface PipelineOutput {
  view: TopologyView;
  namespaces: string[];
  counts: { nodes: number; pods: number; shownPods: number };
  /** Layout runs so far (tests and the benchmark read it). */
  layoutRuns: number;
  /** A layout run is under way. */
  layingOut: boolean;
}

export interface PipelineOptions {
  collapseAbove?: number;
  maxExpandedPods?: number;
}

export class TopologyPipeline {
  private model: ClientModel | undefined;
  private filter: TopologyFilter = emptyFilter;
  private readonly toggled = new Set<string>();
  private graph: TopologyGraph = { nodes: [], edges: [] };
  private view: TopologyView = emptyView;
  private positions = new Map<string, Point>();
  private laidOutKey = '';
  private layoutInFlight = false;
  private layoutRuns = 0;
  private namespaces: string[] = [];
  private counts = { nodes: 0, pods: 0, shownPods: 0 };
  private engine: LayoutEngine | undefined;

  constructor(
    private readonly createEngine: () => LayoutEngine,
    private readonly onOutput: (output: PipelineOutput) => void,
    private readonly options: PipelineOptions = {},
  ) {}

  setModel(model: ClientModel | undefined): void {
    this.model = model;
    this.toggled.clear();
    this.positions = new Map();
    this.laidOutKey = '';
    this.view = emptyView;
    this.update();
  }

  setFilter(filter: TopologyFilter): void {
    this.filter = filter;
    this.update();
  }

  /** Expands a collapsed group or collapses an expanded one. */
  toggle(groupId: string): void {
    if (!this.toggled.delete(groupId)) this.toggled.add(groupId);
    this.update();
  }

  object(uid: string): TopologyObject | undefined {
    return this.model?.objects.get(uid);
  }

  /** Runs the stages after a model, filter or expansion change. */
  update(): void {
    const objects = this.model ? [...this.model.objects.values()] : [];
    this.namespaces = namespacesOf(objects);
    const { objects: visible, matches } = filterObjects(objects, this.filter);
    this.graph = buildGraph(visible, {
      toggled: this.toggled,
      matches,
      collapseAbove: this.options.collapseAbove,
      maxExpandedPods: this.options.maxExpandedPods,
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
    if (layoutKey(this.graph) !== this.laidOutKey) this.requestLayout();
    this.emit();
  }

  private emit(): void {
    this.view = buildView(this.graph, this.positions, this.view);
    this.onOutput({
      view: this.view,
      namespaces: this.namespaces,
      counts: this.counts,
      layoutRuns: this.layoutRuns,
      layingOut: this.layoutInFlight,
    });
  }

  private requestLayout(): void {
    if (this.layoutInFlight) return;
    this.layoutInFlight = true;
    const graph = this.graph;
    const key = layoutKey(graph);
    this.engine ??= this.createEngine();
    this.engine.layout(toElkGraph(graph)).then(
      (laidOut) => {
        this.layoutInFlight = false;
        this.layoutRuns += 1;
        this.positions = positionsOf(laidOut);
        this.laidOutKey = key;
        // The graph may have moved on while ELK worked: lay out again if its key changed.
        if (layoutKey(this.graph) !== this.laidOutKey) this.requestLayout();
        this.emit();
      },
      () => {
        this.layoutInFlight = false;
        this.laidOutKey = key;
        this.emit();
      },
    );
  }
}
