/**
 * Merging imported kubeconfigs into what Nestlab already has, as kubectl merges KUBECONFIG files
 * (a name means the same entry everywhere; current-context from the first file that sets it), but
 * never silently: an entry whose name is taken by different content is a clash the user resolves
 * (rename, replace, or keep the existing one, which is kubectl's first-wins rule). Pure: no I/O.
 */
import type { AffectedContext, ClashResolution, KubeconfigProblem, NameClash, NameKind } from '../../shared/contract/clusters';
import { carriesCredentials, endpointOf } from './credential-binding';
import type { ClusterEntry, ContextEntry, ResolvedKubeconfig, UserEntry } from './kubeconfig-model';

export interface Sourced<T> {
  entry: T;
  source: string;
  /** Its saved secrets are gone (a memory secret store after a restart): re-importing it fills them in. */
  incomplete?: boolean;
  /** Users: the servers (endpointOf) these credentials were imported with, or confirmed for since. */
  boundTo?: string[];
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
  /**
   * Contexts that would send credentials to a server they were not imported with, and no
   * resolution confirmed it (`confirmOtherServer`). Only computed once there are no clashes.
   */
  unconfirmed: AffectedContext[];
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
  const incoming = incomingEntries(files);
  const bindingOf = (user: unknown): string[] => [...(incoming.bindings.get(stableJson(user)) ?? [])];

  /** The entry to store: a user carries the servers it is bound to (kept ones first). */
  function sourced<T>(kind: NameKind, entry: T, source: string, keep?: Sourced<T>): Sourced<T> {
    if (kind !== 'user') return { entry, source };
    return { entry, source, boundTo: [...new Set([...(keep?.boundTo ?? []), ...bindingOf(entry)])] };
  }

  /** Adds one entry; returns the name it ended up under, or undefined when it was not added. */
  function place<T>(kind: NameKind, name: string, entry: T, file: ResolvedKubeconfig): string | undefined {
    const source = file.source;
    const target = next[listKey[kind]] as unknown as Map<string, Sourced<T>>;
    const current = target.get(name);
    const refills = current?.incomplete === true && sameEntry(withoutSecrets(current.entry), withoutSecrets(entry));
    if (current === undefined || refills || sameEntry(current.entry, entry)) {
      target.set(name, sourced(kind, entry, source, current));
      return name;
    }
    const resolution = resolutionOf(kind, name);
    if (resolution === undefined) {
      const effects = {
        replace: effectsOf(kind, name, 'replace', entry, current, file),
        'keep-existing': effectsOf(kind, name, 'keep-existing', entry, current, file),
      };
      clashes.push({ kind, name, incomingSource: source, existingSource: current.source, effects });
      return undefined;
    }
    if (resolution.action === 'rename') {
      const taken = target.get(resolution.newName);
      if (taken !== undefined && !sameEntry(taken.entry, entry)) {
        problems.push({ source, message: `Cannot rename ${kind} "${name}" to "${resolution.newName}": that name is taken too.` });
        return undefined;
      }
      target.set(resolution.newName, sourced(kind, entry, source, taken));
      return resolution.newName;
    }
    if (resolution.action === 'keep-existing') {
      notices.push(`${kind} "${name}" from ${source} was not imported; the existing one (${current.source}) is kept.`);
      return undefined;
    }
    target.set(name, sourced(kind, entry, source));
    return name;
  }

  /** Where a context would connect, and with whose credentials, if it used this cluster and user. */
  function affected(
    context: string,
    cluster: Sourced<ClusterEntry> | undefined,
    user: { name: string; entry: Sourced<UserEntry> | undefined },
    existing: boolean,
  ): AffectedContext[] {
    if (cluster === undefined) return [];
    const credentials = user.entry;
    const otherServer =
      credentials !== undefined &&
      carriesCredentials(credentials.entry) &&
      !(credentials.boundTo ?? bindingOf(credentials.entry)).includes(endpointOf(cluster.entry));
    return [
      {
        context,
        server: cluster.entry.server,
        user: user.name,
        credentialsFrom: credentials?.source ?? '',
        existing,
        otherServer,
      },
    ];
  }

  /** What one choice for a clash would change, the other clashes taken as renamed. */
  function effectsOf(
    kind: NameKind,
    name: string,
    action: 'replace' | 'keep-existing',
    entry: unknown,
    current: Sourced<unknown>,
    file: ResolvedKubeconfig,
  ): AffectedContext[] {
    const incomingCluster = (cluster: string) => {
      const found = incoming.clusters.get(cluster);
      return found === undefined ? next.clusters.get(cluster) : { entry: found, source: file.source };
    };
    const incomingUser = (user: string): Sourced<UserEntry> | undefined => {
      const found = incoming.users.get(user);
      return found === undefined ? next.users.get(user) : { entry: found, source: file.source, boundTo: bindingOf(found) };
    };
    const existingUsing = (field: 'cluster' | 'user') =>
      [...next.contexts].filter(([, context]) => context.entry[field] === name).map(([context, { entry: value }]) => ({ context, value }));
    const incomingUsing = (field: 'cluster' | 'user') => file.contexts.filter(([, context]) => context[field] === name);
    const userOf = (user: string) => ({ name: user, entry: next.users.get(user) });
    if (kind === 'user') {
      const replacement = { entry: entry as UserEntry, source: file.source, boundTo: bindingOf(entry) };
      return action === 'replace'
        ? existingUsing('user').flatMap(({ context, value }) =>
            affected(context, next.clusters.get(value.cluster), { name, entry: replacement }, true),
          )
        : incomingUsing('user').flatMap(([context, value]) =>
            affected(context, incomingCluster(value.cluster), { name, entry: current as Sourced<UserEntry> }, false),
          );
    }
    if (kind === 'cluster') {
      return action === 'replace'
        ? existingUsing('cluster').flatMap(({ context, value }) =>
            affected(context, { entry: entry as ClusterEntry, source: file.source }, userOf(value.user), true),
          )
        : incomingUsing('cluster').flatMap(([context, value]) =>
            affected(context, current as Sourced<ClusterEntry>, { name: value.user, entry: incomingUser(value.user) }, false),
          );
    }
    if (action === 'keep-existing') return [];
    const context = entry as ContextEntry;
    return affected(name, incomingCluster(context.cluster), { name: context.user, entry: incomingUser(context.user) }, true);
  }

  for (const file of files) {
    const renamed = { cluster: new Map<string, string>(), user: new Map<string, string>() };
    for (const [name, entry] of file.clusters) {
      if (!referenced.has(`cluster/${name}`)) continue;
      const placed = place('cluster', name, entry, file);
      if (placed !== undefined && placed !== name) renamed.cluster.set(name, placed);
    }
    for (const [name, entry] of file.users) {
      if (!referenced.has(`user/${name}`)) continue;
      const placed = place('user', name, entry, file);
      if (placed !== undefined && placed !== name) renamed.user.set(name, placed);
    }
    const contextNames = new Map<string, string>();
    for (const [name, context] of file.contexts) {
      const entry: ContextEntry = {
        ...context,
        cluster: renamed.cluster.get(context.cluster) ?? context.cluster,
        user: renamed.user.get(context.user) ?? context.user,
      };
      const placed = place('context', name, entry, file);
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

  const invalid = (kind: 'clusters' | 'users', name: string) => files.some((file) => file.invalidNames?.[kind].includes(name));
  for (const name of imported) {
    const { entry, source } = next.contexts.get(name)!;
    if (!next.clusters.has(entry.cluster) && !invalid('clusters', entry.cluster)) {
      problems.push({ source, message: `context "${name}": cluster "${entry.cluster}" is not defined.` });
    }
    if (entry.user !== '' && !next.users.has(entry.user) && !invalid('users', entry.user)) {
      problems.push({ source, message: `context "${name}": user "${entry.user}" is not defined.` });
    }
  }
  // kubectl takes current-context from the first file that sets it; one that names no context breaks kubectl there.
  const current = files.find((file) => file.currentContext !== undefined);
  let dangling: KubeconfigProblem | undefined;
  let danglingNotice = '';
  const danglingAt = problems.length;
  if (current?.currentContext !== undefined) {
    const wanted = current.currentContext;
    const defined = files.some((file) => file.contexts.some(([name]) => name === wanted) || file.invalidNames?.contexts.includes(wanted));
    if (!defined) {
      const names = files.flatMap((file) => file.contexts.map(([name]) => name));
      const what = `current-context "${wanted}" names no context${names.length === 0 ? '' : ` (the contexts are ${names.map((name) => `"${name}"`).join(', ')})`}`;
      dangling = { source: current.source, message: `${what}. Set current-context to one of them, or remove it.` };
      danglingNotice = `${current.source}: ${what}. The contexts were imported; kubectl fails with this file until its current-context names one of them or is removed.`;
    }
  }
  if (files.every((file) => file.contexts.length === 0)) {
    problems.push({
      source: files.map((file) => file.source).join(', '),
      message: 'No contexts are defined, so there is nothing to import.',
    });
  }
  // A current-context left over from a deleted context stops nothing Nestlab needs (it picks no
  // context as current from it): alone it is a warning and the contexts are imported; with other
  // problems it is listed among them, so the file is fixed in one go.
  if (dangling !== undefined) {
    if (problems.length > 0) problems.splice(danglingAt, 0, dangling);
    else notices.push(danglingNotice);
  }

  collectUnused(next);
  const unconfirmed = clashes.length > 0 ? [] : checkBindings(next, new Set(existing.contexts.keys()), resolutions, notices);
  return { next, clashes, problems, imported, notices, unconfirmed, ...(currentContext === undefined ? {} : { currentContext }) };
}

/**
 * Every context of the merged result must send its credentials only to a server they are bound
 * to. A rebinding the user confirmed (on the clash that causes it) binds that server too.
 */
function checkBindings(
  next: Namespace,
  existingContexts: ReadonlySet<string>,
  resolutions: readonly ClashResolution[],
  notices: string[],
): AffectedContext[] {
  const unconfirmed: AffectedContext[] = [];
  const confirmed = (context: string, entry: ContextEntry) =>
    resolutions.some(
      (r) =>
        r.action !== 'rename' &&
        r.confirmOtherServer === true &&
        ((r.kind === 'user' && r.name === entry.user) ||
          (r.kind === 'cluster' && r.name === entry.cluster) ||
          (r.kind === 'context' && r.name === context)),
    );
  for (const [name, { entry }] of next.contexts) {
    const cluster = next.clusters.get(entry.cluster);
    const user = next.users.get(entry.user);
    if (cluster === undefined || user === undefined || !carriesCredentials(user.entry)) continue;
    const endpoint = endpointOf(cluster.entry);
    const boundTo = user.boundTo ?? [];
    if (boundTo.includes(endpoint)) continue;
    if (confirmed(name, entry)) {
      next.users.set(entry.user, { ...user, boundTo: [...boundTo, endpoint] });
      notices.push(
        `Context "${name}" sends the credentials of user "${entry.user}" (from ${user.source}) to ${cluster.entry.server}, as you confirmed.`,
      );
      continue;
    }
    unconfirmed.push({
      context: name,
      server: cluster.entry.server,
      user: entry.user,
      credentialsFrom: user.source,
      existing: existingContexts.has(name),
      otherServer: true,
    });
  }
  return unconfirmed;
}

/**
 * The import taken alone, merged as kubectl merges files (the first definition of a name wins):
 * its clusters and users by name, and for each user entry (by content) the servers its contexts
 * send it to. Those are the servers the credentials are imported with.
 */
function incomingEntries(files: readonly ResolvedKubeconfig[]) {
  const clusters = new Map<string, ClusterEntry>();
  const users = new Map<string, UserEntry>();
  for (const file of files) {
    for (const [name, entry] of file.clusters) if (!clusters.has(name)) clusters.set(name, entry);
    for (const [name, entry] of file.users) if (!users.has(name)) users.set(name, entry);
  }
  const bindings = new Map<string, Set<string>>();
  for (const file of files) {
    for (const [, context] of file.contexts) {
      const cluster = clusters.get(context.cluster);
      const user = users.get(context.user);
      if (cluster === undefined || user === undefined) continue;
      const key = stableJson(user);
      const set = bindings.get(key) ?? new Set<string>();
      set.add(endpointOf(cluster));
      bindings.set(key, set);
    }
  }
  return { clusters, users, bindings };
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
  const { token: _token, clientKeyData: _key, password: _password, authProvider, exec, ...rest } = entry as UserEntry;
  const publicRest = exec === undefined ? rest : { ...rest, exec: { ...exec, env: exec.env.map(({ name }) => name) } };
  return authProvider === undefined ? publicRest : { ...publicRest, authProvider: { name: authProvider.name } };
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
