/**
 * Collects a graph's boxes and edges once each. A box folded into another (simplify.ts) is not
 * added, and edges to or from it go to the box it is folded into; an edge inside one box is
 * dropped. An edge is drawn only between boxes that exist.
 */
import type { GraphEdge, GraphNode } from './graph-types';
import { edgeId } from './ids';

export class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly edges: GraphEdge[] = [];
  /** Box id -> the id of the box it is folded into. */
  readonly folded = new Map<string, string>();
  private readonly positions = new Map<string, number>();
  private readonly edgeIds = new Set<string>();

  constructor(private readonly matches: ReadonlySet<string>) {}

  /** The box drawn for `id`: its own, or the one it is folded into. */
  drawn(id: string): string {
    return this.folded.get(id) ?? id;
  }

  has(id: string): boolean {
    return this.positions.has(this.drawn(id));
  }

  add(node: GraphNode): void {
    if (this.positions.has(node.id) || this.folded.has(node.id)) return;
    this.positions.set(node.id, this.nodes.length);
    if (this.matches.size > 0 && node.uid && this.matches.has(node.uid)) node.match = true;
    this.nodes.push(node);
  }

  /** Replaces an added box's data (a pool or namespace box, once all its members are counted). */
  set(node: GraphNode): void {
    const index = this.positions.get(node.id);
    if (index !== undefined) this.nodes[index] = node;
  }

  fold(id: string, into: string): void {
    this.folded.set(id, into);
  }

  link(from: string, to: string, kind: GraphEdge['kind']): void {
    const source = this.drawn(from);
    const target = this.drawn(to);
    if (source === target) return;
    const id = edgeId(kind, source, target);
    if (this.edgeIds.has(id) || !this.positions.has(source) || !this.positions.has(target)) return;
    this.edgeIds.add(id);
    this.edges.push({ id, source, target, kind });
  }
}
