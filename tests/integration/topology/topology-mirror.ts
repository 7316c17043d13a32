/**
 * What a client does with the topology contract: take a paged snapshot, then apply broadcast
 * deltas above its revision. The tests look at this mirror, so they check the whole path.
 */
import type { TopologyDelta, TopologyObject, TopologyService, TopologyStatus } from '../../../src/shared/contract/topology';

type Narrow<T, K> = T extends { kind: infer Kinds } ? (K extends Kinds ? T : never) : never;
/** The object type of one kind (workload types share one interface). */
export type OfKind<K extends TopologyObject['kind']> = Narrow<TopologyObject, K>;

export class TopologyMirror {
  readonly objects = new Map<string, TopologyObject>();
  status: TopologyStatus | undefined;
  revision = 0;
  deltas = 0;
  private early: TopologyDelta[] = [];
  private loaded = false;
  private readonly subscriptions: { dispose(): void }[] = [];

  constructor(
    private readonly service: TopologyService,
    readonly context: string,
  ) {
    this.subscriptions.push(
      service.onDidChange((delta) => this.receive(delta)),
      service.onDidChangeStatus((status) => {
        if (status.context === context) this.status = status;
      }),
    );
  }

  async load(): Promise<void> {
    await this.service.watch(this.context);
    let page = await this.service.snapshot(this.context);
    this.objects.clear();
    for (;;) {
      for (const object of page.objects) this.objects.set(object.uid, object);
      if (!page.nextCursor) break;
      page = await this.service.snapshot(this.context, page.nextCursor);
    }
    this.revision = page.revision;
    this.status = page.status;
    this.loaded = true;
    for (const delta of this.early.splice(0)) this.receive(delta);
  }

  private receive(delta: TopologyDelta): void {
    if (delta.context !== this.context) return;
    if (!this.loaded) {
      this.early.push(delta);
      return;
    }
    if (delta.revision <= this.revision) return;
    if (delta.revision !== this.revision + 1) throw new Error(`revision gap: ${this.revision} -> ${delta.revision}`);
    this.revision = delta.revision;
    this.deltas += 1;
    for (const object of delta.upserts) this.objects.set(object.uid, object);
    for (const uid of delta.deletes) this.objects.delete(uid);
  }

  ofKind<K extends TopologyObject['kind']>(kind: K): OfKind<K>[] {
    return [...this.objects.values()].filter((object): object is OfKind<K> => object.kind === kind);
  }

  find<K extends TopologyObject['kind']>(kind: K, name: string, namespace?: string): OfKind<K> | undefined {
    return this.ofKind(kind).find((object) => object.name === name && (namespace === undefined || object.namespace === namespace));
  }

  /** Pods whose ReplicaSet belongs to the Deployment. */
  podsOfDeployment(name: string, namespace = 'default'): TopologyObject[] {
    const deployment = this.find('Deployment', name, namespace);
    if (!deployment) return [];
    const replicaSets = new Set(
      [...this.objects.values()].filter((rs) => rs.kind === 'ReplicaSet' && rs.owner?.uid === deployment.uid).map((rs) => rs.uid),
    );
    return this.ofKind('Pod').filter((pod) => pod.owner && replicaSets.has(pod.owner.uid) && !pod.terminating);
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
