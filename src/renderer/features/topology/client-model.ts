/**
 * Pipeline stage 1, the model: the renderer's copy of one context's objects, filled from a paged
 * snapshot and kept current by deltas. A revision gap means a lost message: the caller reloads.
 * It also notes what changed since the pipeline last looked, so a batch of deltas that touches
 * only a few boxes can be applied in place instead of rebuilding the whole graph.
 */
import type { TopologyDelta, TopologyObject } from '../../../shared/contract';

export type DeltaOutcome = 'applied' | 'stale' | 'gap';

/** One object's change: as it was when the pipeline last looked, and as it is now (absent: none). */
export interface ObjectChange {
  uid: string;
  before?: TopologyObject;
  after?: TopologyObject;
}

/** What changed since the last {@link ClientModel.takeChanges}; `reloaded`: everything may have. */
export interface ModelChanges {
  reloaded: boolean;
  changes: ObjectChange[];
}

export class ClientModel {
  readonly objects = new Map<string, TopologyObject>();
  revision = 0;
  /** Bumped by every change, so derived stages can tell whether to run again. */
  version = 0;
  /** uid -> the object before its first change since the last take (undefined: it did not exist). */
  private journal = new Map<string, TopologyObject | undefined>();
  private reloaded = true;

  constructor(readonly context: string) {}

  /** Replaces everything with a complete snapshot taken at `revision`. */
  load(objects: TopologyObject[], revision: number): void {
    this.objects.clear();
    for (const object of objects) this.objects.set(object.uid, object);
    this.revision = revision;
    this.version += 1;
    this.reloaded = true;
    this.journal.clear();
  }

  apply(delta: TopologyDelta): DeltaOutcome {
    if (delta.context !== this.context || delta.revision <= this.revision) return 'stale';
    if (delta.revision !== this.revision + 1) return 'gap';
    for (const object of delta.upserts) {
      this.note(object.uid);
      this.objects.set(object.uid, object);
    }
    for (const uid of delta.deletes) {
      this.note(uid);
      this.objects.delete(uid);
    }
    this.revision = delta.revision;
    this.version += 1;
    return 'applied';
  }

  /** Hands over what changed since the last call and starts a new journal. */
  takeChanges(): ModelChanges {
    const changes: ObjectChange[] = [];
    if (!this.reloaded) {
      for (const [uid, before] of this.journal) {
        const after = this.objects.get(uid);
        if (before || after) changes.push({ uid, before, after });
      }
    }
    const taken = { reloaded: this.reloaded, changes };
    this.reloaded = false;
    this.journal = new Map();
    return taken;
  }

  private note(uid: string): void {
    if (!this.reloaded && !this.journal.has(uid)) this.journal.set(uid, this.objects.get(uid));
  }
}
