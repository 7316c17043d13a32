/**
 * The compact model of one cluster: objects by uid, the resourceVersion each was read at, and
 * the changes not yet sent. A relist is a diff against what is held, so an API server restart or
 * a 410 sends only what really changed.
 */
import type { TopologyKind, TopologyObject } from '../../shared/contract/topology';
import type { ModelEntry } from './kind-watcher';

export interface ModelChanges {
  upserts: TopologyObject[];
  deletes: string[];
}

export class TopologyModel {
  private readonly objects = new Map<string, TopologyObject>();
  private readonly versions = new Map<string, string>();
  private readonly byKind = new Map<TopologyKind, Set<string>>();
  /** uid -> the new object, or null for a deletion. */
  private pending = new Map<string, TopologyObject | null>();

  constructor(private readonly onPending: () => void = () => {}) {}

  get size(): number {
    return this.objects.size;
  }

  private uidsOf(kind: TopologyKind): Set<string> {
    let uids = this.byKind.get(kind);
    if (!uids) this.byKind.set(kind, (uids = new Set()));
    return uids;
  }

  private mark(uid: string, object: TopologyObject | null): void {
    const wasEmpty = this.pending.size === 0;
    this.pending.set(uid, object);
    if (wasEmpty) this.onPending();
  }

  upsert(entry: ModelEntry): void {
    const held = this.objects.get(entry.uid);
    if (held && this.versions.get(entry.uid) === entry.resourceVersion) return;
    this.versions.set(entry.uid, entry.resourceVersion);
    // Node heartbeats and most status posts change nothing the map shows: send no delta for them.
    if (held && JSON.stringify(held) === JSON.stringify(entry.object)) return;
    this.objects.set(entry.uid, entry.object);
    this.uidsOf(entry.object.kind).add(entry.uid);
    this.mark(entry.uid, entry.object);
  }

  remove(kind: TopologyKind, uid: string): void {
    if (!this.objects.delete(uid)) return;
    this.versions.delete(uid);
    this.uidsOf(kind).delete(uid);
    this.mark(uid, null);
  }

  /** Replaces every object of `kind` with a fresh list. */
  replace(kind: TopologyKind, entries: ModelEntry[]): void {
    const fresh = new Set<string>();
    for (const entry of entries) {
      fresh.add(entry.uid);
      this.upsert(entry);
    }
    for (const uid of [...this.uidsOf(kind)]) if (!fresh.has(uid)) this.remove(kind, uid);
  }

  /** Drops every object of a kind (the server stopped offering it). */
  clearKind(kind: TopologyKind): void {
    this.replace(kind, []);
  }

  /** Changes since the last call, or undefined when there are none. */
  takeChanges(): ModelChanges | undefined {
    if (this.pending.size === 0) return undefined;
    const changes: ModelChanges = { upserts: [], deletes: [] };
    for (const [uid, object] of this.pending) {
      if (object) changes.upserts.push(object);
      else changes.deletes.push(uid);
    }
    this.pending = new Map();
    return changes;
  }

  /** Every object, as held now. */
  all(): TopologyObject[] {
    return [...this.objects.values()];
  }

  get(uid: string): TopologyObject | undefined {
    return this.objects.get(uid);
  }

  countOf(kind: TopologyKind): number {
    return this.byKind.get(kind)?.size ?? 0;
  }
}
