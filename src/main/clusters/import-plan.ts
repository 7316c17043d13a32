/**
 * Merging imported kubeconfigs into what Nestlab already has, as kubectl merges KUBECONFIG files
 * (a name means the same entry everywhere; current-context from the first file that sets it), but
 * never silently: an entry whose name is taken by different content is a clash the user resolves
 * (rename, replace, or keep the existing one, which is kubectl's first-wins rule). Pure: no I/O.
 */
import type { ClashResolution, KubeconfigProblem, NameClash, NameKind } from '../../shared/contract/clusters';
import type { ClusterEntry, ContextEntry, ResolvedKubeconfig, UserEntry } from './kubeconfig-model';

export interface Sourced<T> {
  entry: T;
  source: string;
  /** Its saved secrets are gone (a memory secret store after a restart): re-importing it fills them in. */
  incomplete?: boolean;
}

/** Every named entry, by kind. */
export interface Namespace {
  clusters: Map<string, Sourced<ClusterEntry>>;
  users: Map<string, Sourced<UserEntry>>;
  contexts: Map<string, Sourced<ContextEntry>>;
}

export interface ImportPlan {
  next: Namespace;
  clashes: NameClash[];
  problems: KubeconfigProblem[];
  /** Context names this import adds or replaces. */
  imported: string[];
  /** current-context of the first file that sets it (after renames), if it was imported. */
  currentContext?: string;
  notices: string[];
}

const listKey = { cluster: 'clusters', user: 'users', context: 'contexts' } as const;

export function planImport(existing: Namespace, files: readonly ResolvedKubeconfig[], resolutions: readonly ClashResolution[]): ImportPlan {
  const next: Namespace = { clusters: new Map(existing.clusters), users: new Map(existing.users), contexts: new Map(existing.contexts) };
  const clashes: NameClash[] = [];
  const problems: KubeconfigProblem[] = [];
  const notices: string[] = files.flatMap((file) => file.notices);
  const imported: string[] = [];
  let currentContext: string | undefined;
  let currentContextSet = false;

  // Only clusters and users that some imported context uses are imported (and can clash).
  const referenced = new Set(
    files.flatMap((file) => file.contexts.flatMap(([, context]) => [`cluster/${context.cluster}`, `user/${context.user}`])),
  );
  const resolutionOf = (kind: NameKind, name: string) => resolutions.find((r) => r.kind === kind && r.name === name);

  /** Adds one entry; returns the name it ended up under, or undefined when it was not added. */
  function place<T>(kind: NameKind, name: string, entry: T, source: string): string | undefined {
    const target = next[listKey[kind]] as unknown as Map<string, Sourced<T>>;
    const current = target.get(name);
    const refills = current?.incomplete === true && sameEntry(withoutSecrets(current.entry), withoutSecrets(entry));
    if (current === undefined || refills || sameEntry(current.entry, entry)) {
      target.set(name, { entry, source });
      return name;
    }
    const resolution = resolutionOf(kind, name);
    if (resolution === undefined) {
      clashes.push({ kind, name, incomingSource: source, existingSource: current.source });
      return undefined;
    }
    if (resolution.action === 'rename') {
      const taken = target.get(resolution.newName);
      if (taken !== undefined && !sameEntry(taken.entry, entry)) {
        problems.push({ source, message: `Cannot rename ${kind} "${name}" to "${resolution.newName}": that name is taken too.` });
        return undefined;
      }
      target.set(resolution.newName, { entry, source });
      return resolution.newName;
    }
    if (resolution.action === 'keep-existing') {
      notices.push(`${kind} "${name}" from ${source} was not imported; the existing one (${current.source}) is kept.`);
      return undefined;
    }
    target.set(name, { entry, source });
    return name;
  }

  for (const file of files) {
    const renamed = { cluster: new Map<string, string>(), user: new Map<string, string>() };
    for (const [name, entry] of file.clusters) {
      if (!referenced.has(`cluster/${name}`)) continue;
      const placed = place('cluster', name, entry, file.source);
      if (placed !== undefined && placed !== name) renamed.cluster.set(name, placed);
    }
    for (const [name, entry] of file.users) {
      if (!referenced.has(`user/${name}`)) continue;
      const placed = place('user', name, entry, file.source);
      if (placed !== undefined && placed !== name) renamed.user.set(name, placed);
    }
    const contextNames = new Map<string, string>();
    for (const [name, context] of file.contexts) {
      const entry: ContextEntry = {
        ...context,
        cluster: renamed.cluster.get(context.cluster) ?? context.cluster,
        user: renamed.user.get(context.user) ?? context.user,
      };
      const placed = place('context', name, entry, file.source);
      if (placed !== undefined) {
        contextNames.set(name, placed);
        if (!imported.includes(placed)) imported.push(placed);
      }
    }
    if (!currentContextSet && file.currentContext !== undefined) {
      currentContextSet = true;
      currentContext = contextNames.get(file.currentContext);
    }
  }

  for (const name of imported) {
    const { entry, source } = next.contexts.get(name)!;
    if (!next.clusters.has(entry.cluster)) {
      problems.push({ source, message: `context "${name}": cluster "${entry.cluster}" is not defined.` });
    }
    if (entry.user !== '' && !next.users.has(entry.user)) {
      problems.push({ source, message: `context "${name}": user "${entry.user}" is not defined.` });
    }
  }
  if (files.every((file) => file.contexts.length === 0)) {
    problems.push({
      source: files.map((file) => file.source).join(', '),
      message: 'No contexts are defined, so there is nothing to import.',
    });
  }

  collectUnused(next);
  return { next, clashes, problems, imported, notices, ...(currentContext === undefined ? {} : { currentContext }) };
}

/** Drops clusters and users that no context uses any more (after a replace or a removal). */
export function collectUnused(namespace: Namespace): void {
  const contexts = [...namespace.contexts.values()].map(({ entry }) => entry);
  for (const name of [...namespace.clusters.keys()]) {
    if (!contexts.some((context) => context.cluster === name)) namespace.clusters.delete(name);
  }
  for (const name of [...namespace.users.keys()]) {
    if (!contexts.some((context) => context.user === name)) namespace.users.delete(name);
  }
}

/** A user entry without the fields kept in the secret store. */
function withoutSecrets(entry: unknown): unknown {
  if (typeof entry !== 'object' || entry === null) return entry;
  const { token: _token, clientKeyData: _key, password: _password, authProvider, ...rest } = entry as UserEntry;
  return authProvider === undefined ? rest : { ...rest, authProvider: { name: authProvider.name } };
}

export function sameEntry(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : inner,
  );
}
