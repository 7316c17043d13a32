/**
 * Pipeline stage 1, the model: the renderer's copy of one context's objects, filled from a paged
 * snapshot and kept current by deltas. A revision gap means a lost message: the caller reloads.
 */
import type { TopologyDelta, TopologyObject } from '../../../shared/contract';

export type DeltaOutcome = 'applied' | 'stale' | 'gap';

export class ClientModel {
  readonly objects = new Map<string, TopologyObject>();
  revision = 0;
  /** Bumped by every change, so derived stages can tell whether to run again. */
  version = 0;

  constructor(readonly context: string) {}

  /** Replaces everything with a complete snapshot taken at `revision`. */
  load(objects: TopologyObject[], revision: number): void {
    this.objects.clear();
    for (const object of objects) this.objects.set(object.uid, object);
    this.revision = revision;
    this.version += 1;
  }

  apply(delta: TopologyDelta): DeltaOutcome {
    if (delta.context !== this.context || delta.revision <= this.revision) return 'stale';
    if (delta.revision !== this.revision + 1) return 'gap';
    for (const object of delta.upserts) this.objects.set(object.uid, object);
    for (const uid of delta.deletes) this.objects.delete(uid);
    this.revision = delta.revision;
    this.version += 1;
    return 'applied';
  }
}
