/** Which workload a pod belongs to on the map: the top of its owner chain. */
import type { TopologyObject, WorkloadObject } from '../../../shared/contract';

/** Kinds that own pods (directly or through a ReplicaSet) and can head a group. */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job']);

/** The owner a pod is grouped under: its top workload (Deployment via ReplicaSet...), or its direct owner. */
export function topOwnerOf(
  object: TopologyObject,
  lookup: (uid: string) => TopologyObject | undefined,
): { uid: string; kind: string; name: string; workload?: WorkloadObject } {
  let current: TopologyObject = object;
  let ref = object.owner;
  for (let depth = 0; ref && depth < 4; depth += 1) {
    const owner = lookup(ref.uid);
    if (!owner || !WORKLOAD_KINDS.has(owner.kind)) return { uid: ref.uid, kind: ref.kind, name: ref.name };
    current = owner;
    ref = owner.owner && WORKLOAD_KINDS.has(owner.owner.kind) ? owner.owner : undefined;
  }
  return { uid: current.uid, kind: current.kind, name: current.name, workload: current as WorkloadObject };
}

/** Kinds whose objects are the root of a group even before they have pods. */
export function isGroupRoot(object: TopologyObject): object is WorkloadObject {
  return (
    object.kind === 'Deployment' || object.kind === 'StatefulSet' || object.kind === 'DaemonSet' || (object.kind === 'Job' && !object.owner)
  );
}
