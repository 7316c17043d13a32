/**
 * Pipeline stage 2, the filter: which objects the map shows. Cluster-scoped objects (nodes)
 * always show; namespaced ones only in the chosen namespaces. A search keeps objects whose name
 * contains the text, and the pods of a matching workload (the group stage needs them).
 */
import type { TopologyObject } from '../../../shared/contract';

export interface TopologyFilter {
  /** Namespaces to show; empty means all. */
  namespaces: string[];
  /** Case-insensitive text matched against names. */
  search: string;
}

export const emptyFilter: TopologyFilter = { namespaces: [], search: '' };

/** Every namespace that holds an object, sorted. */
export function namespacesOf(objects: Iterable<TopologyObject>): string[] {
  const names = new Set<string>();
  for (const object of objects) if (object.namespace) names.add(object.namespace);
  return [...names].sort();
}

/** The objects to map, and (when searching) the uids that matched the search. */
export function filterObjects(
  objects: Iterable<TopologyObject>,
  filter: TopologyFilter,
): { objects: TopologyObject[]; matches: Set<string> } {
  const namespaces = filter.namespaces.length > 0 ? new Set(filter.namespaces) : undefined;
  const search = filter.search.trim().toLowerCase();
  const inScope: TopologyObject[] = [];
  for (const object of objects) {
    if (object.namespace && namespaces && !namespaces.has(object.namespace)) continue;
    inScope.push(object);
  }
  const matches = new Set<string>();
  if (!search) return { objects: inScope, matches };
  for (const object of inScope) if (object.name.toLowerCase().includes(search)) matches.add(object.uid);
  // Owners of matching objects, and owned objects of matching owners, stay so groups hold together.
  const keep = new Set(matches);
  const byUid = new Map(inScope.map((object) => [object.uid, object]));
  for (const object of inScope) {
    let owner = object.owner ? byUid.get(object.owner.uid) : undefined;
    const chain: string[] = [object.uid];
    let ownerMatched = false;
    while (owner) {
      chain.push(owner.uid);
      if (matches.has(owner.uid)) ownerMatched = true;
      owner = owner.owner ? byUid.get(owner.owner.uid) : undefined;
    }
    if (ownerMatched || matches.has(object.uid)) for (const uid of chain) keep.add(uid);
  }
  return { objects: inScope.filter((object) => object.kind === 'Node' || keep.has(object.uid)), matches };
}
