/**
 * Custom YAML as `kubectl apply -f` reads it, through server-side apply: Namespaces first (a
 * namespace the YAML creates counts as existing in the dry run too), key fields an old server
 * needs written out, every object on its own (one refusal does not hide the others), several
 * at a time, with progress and cancel. Outcomes are values; only a lost connection or refused
 * credentials end the whole run.
 */
import {
  FIELD_MANAGER,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  type ObjectApplyResult,
  type ObjectRef,
  type YamlApplyResult,
} from '../../shared/contract/apps';
import { AppError } from '../../shared/errors';
import { toAppError } from '../kube/kube-errors';
import type { KubeClient } from './kube-client';
import { refOf } from './manifest';
import { osPlacementChecker } from './os-placement';
import { addKeyFieldDefaults, needsKeyFieldDefaults } from './old-server-defaults';
import { explainFailure, missingNamespaceError, type FailedObject } from './yaml-failures';
import { parseKubeDocuments, type KubeObject } from './yaml-documents';

/** Objects sent at once. kubectl sends one at a time; the API server handles many. */
export const APPLY_CONCURRENCY = 16;
/** From this many objects of one kind in one namespace, their current state is read with one list. */
export const LIST_FROM_OBJECTS = 20;
/** Progress is reported at most this often (and once at the end). */
export const PROGRESS_INTERVAL_MS = 100;

export interface YamlRunInput {
  /** Called once the YAML parsed: invalid YAML is reported without needing a cluster. */
  connect: () => Promise<KubeClient>;
  yaml: string;
  /** For namespaced objects that name none. */
  namespace: string;
  dryRun: boolean;
  force: boolean;
  /** Namespaces to create first although the YAML does not hold them. */
  createNamespaces: readonly string[];
  signal: AbortSignal;
  onProgress: (progress: { done: number; total: number; current?: ObjectRef }) => void;
}

interface Item {
  document?: number;
  object: KubeObject;
  ref: ObjectRef;
  plural?: string;
  namespaced?: boolean;
  notes: string[];
  warnings: string[];
}

function failedObject(item: Item): FailedObject {
  return {
    ...(item.document === undefined ? {} : { document: item.document }),
    object: item.ref,
    ...(item.plural ? { plural: item.plural } : {}),
  };
}

const isNamespace = (object: KubeObject) => object.kind === 'Namespace' && object.apiVersion === 'v1';

/**
 * The object as an outcome compares it: without its status (controllers write it meanwhile:
 * a Deployment just applied is still being reconciled), its resourceVersion (which that moves
 * too), and of managedFields only Nestlab's own entries without their times (a dry run may move
 * a time without a change; other managers' entries follow their own writes).
 */
function comparable(object: KubeObject): string {
  const { resourceVersion: _rv, managedFields, ...metadata } = object.metadata as Record<string, unknown>;
  const { status: _status, ...rest } = object;
  const fields = Array.isArray(managedFields)
    ? managedFields
        .filter((entry: Record<string, unknown>) => entry.manager === FIELD_MANAGER)
        .map((entry: Record<string, unknown>) => {
          const { time: _time, ...kept } = entry;
          return kept;
        })
    : managedFields;
  return JSON.stringify({ ...rest, metadata: { ...metadata, managedFields: fields } });
}

/** created / configured / unchanged, the same way for a dry run and the apply it announces. */
function outcomeOf(before: KubeObject | undefined, after: KubeObject): ObjectApplyResult['outcome'] {
  if (before === undefined) return 'created';
  return comparable(before) === comparable(after) ? 'unchanged' : 'configured';
}

/** Every object of an item's kind in its namespace, by name (paged, 500 at a time). */
async function listObjects(client: KubeClient, item: { ref: ObjectRef }): Promise<Map<string, KubeObject>> {
  const path = await client.objectPath({ ...item.ref, name: '' });
  const byName = new Map<string, KubeObject>();
  let next: string | undefined;
  do {
    const page = await client.request<{ items?: KubeObject[]; metadata?: { continue?: string } }>('GET', path, {
      query: { limit: '500', ...(next ? { continue: next } : {}) },
    });
    // A list leaves out each item's apiVersion and kind; the apply's answer has them.
    for (const object of page.items ?? [])
      byName.set(object.metadata.name, { ...object, apiVersion: item.ref.apiVersion, kind: item.ref.kind });
    next = page.metadata?.continue || undefined;
  } while (next);
  return byName;
}

/** Runs `work` over `items`, `limit` at a time, in order of start; stops starting new ones once `stop()` says so. */
async function inPool<T>(items: readonly T[], limit: number, stop: () => boolean, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length && !stop()) {
      const item = items[next++]!;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export async function runYamlApply(input: YamlRunInput): Promise<YamlApplyResult> {
  const { dryRun, signal } = input;
  const parsed = parseKubeDocuments(input.yaml);
  if (!parsed.ok) return { status: 'invalid', problems: parsed.problems };
  if (parsed.objects.length === 0 && input.createNamespaces.length === 0) {
    return { status: 'invalid', problems: [{ document: 1, line: 1, column: 1, message: 'The YAML holds no object.' }] };
  }
  const client = await input.connect();

  const items: Item[] = parsed.objects.map((object, index) => ({
    document: parsed.documents[index],
    object: structuredClone(object),
    ref: refOf(object),
    notes: [],
    warnings: [],
  }));
  const inYaml = new Set(items.filter((item) => isNamespace(item.object)).map((item) => item.object.metadata.name));
  const requested = [...new Set(input.createNamespaces)].filter((name) => !inYaml.has(name));
  const extra: Item[] = requested.map((name) => {
    const object: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
    };
    return { object, ref: refOf(object), notes: ['Created on request: no document of the YAML holds it.'], warnings: [] };
  });
  // Namespaces first, as kubectl users expect when they put one at the top (or anywhere).
  const ordered = [...extra, ...items.filter((item) => isNamespace(item.object)), ...items.filter((item) => !isNamespace(item.object))];
  const total = ordered.length;
  const results = new Map<Item, ObjectApplyResult>();
  let done = 0;
  let lastReport = 0;
  let current: ObjectRef | undefined;
  const report = (force = false) => {
    const now = Date.now();
    if (!force && now - lastReport < PROGRESS_INTERVAL_MS) return;
    lastReport = now;
    input.onProgress({ done, total, ...(current === undefined || done === total ? {} : { current }) });
  };
  const finish = (item: Item, result: Omit<ObjectApplyResult, 'object' | 'document' | 'notes' | 'warnings'>) => {
    results.set(item, {
      object: item.ref,
      ...(item.document === undefined ? {} : { document: item.document }),
      ...result,
      ...(item.notes.length > 0 ? { notes: item.notes } : {}),
      ...(item.warnings.length > 0 ? { warnings: item.warnings } : {}),
    });
    done += 1;
    report(done === total);
  };
  const fail = (item: Item, error: unknown) => {
    const appError = toAppError(error);
    if (appError.code === 'UNREACHABLE' || appError.code === 'UNAUTHORIZED') throw appError;
    finish(item, { outcome: 'failed', error: explainFailure(appError, failedObject(item)).toJSON() });
  };
  report(true);

  // Kinds and scopes (discovery is cached per group version), the namespace to fill in, and
  // the key fields an old server needs.
  const oldServer = needsKeyFieldDefaults(await client.serverVersion());
  const resolved: Item[] = [];
  for (const item of ordered) {
    try {
      const info = await client.resource(item.object.apiVersion, item.object.kind);
      item.plural = info.plural;
      item.namespaced = info.namespaced;
      if (info.namespaced) item.object.metadata.namespace ??= input.namespace;
      else delete item.object.metadata.namespace;
      item.ref = refOf(item.object);
      if (oldServer) item.notes.push(...addKeyFieldDefaults(item.object));
      resolved.push(item);
    } catch (error) {
      fail(item, error);
    }
  }

  // Pods that would land on the wrong OS: warned about, in the dry run and the apply; they are still sent.
  const placement = osPlacementChecker(client);
  for (const item of resolved) item.warnings.push(...(await placement(item.object)));

  // Namespaces: those that exist, and those this run creates (or, in a dry run, would create).
  const namespaceItems = resolved.filter((item) => isNamespace(item.object));
  const others = resolved.filter((item) => !isNamespace(item.object));
  const created = new Set<string>();
  // What each object is now: one list per kind and namespace when many objects share them (a
  // 2,000-ConfigMap paste is then one read, not 2,000), one read per object otherwise.
  const listed = new Map<string, Promise<Map<string, KubeObject> | undefined>>();
  const groupKey = (item: Item) => JSON.stringify([item.ref.apiVersion, item.ref.kind, item.ref.namespace ?? '']);
  const groupSizes = new Map<string, number>();
  for (const item of resolved) groupSizes.set(groupKey(item), (groupSizes.get(groupKey(item)) ?? 0) + 1);
  const current0 = async (item: Item): Promise<KubeObject | undefined> => {
    const key = groupKey(item);
    if ((groupSizes.get(key) ?? 0) >= LIST_FROM_OBJECTS) {
      let list = listed.get(key);
      if (!list) {
        list = listObjects(client, item).catch(() => undefined); // not allowed to list: read one by one
        listed.set(key, list);
      }
      const objects = await list;
      if (objects) return objects.get(item.ref.name);
    }
    return client.get<KubeObject>(await client.objectPath(item.ref)).catch((error: unknown) => {
      if (toAppError(error).code === 'FORBIDDEN') return undefined; // the apply says it better
      throw error;
    });
  };
  const applyOne = async (item: Item) => {
    if (signal.aborted) return;
    current = item.ref;
    report();
    try {
      const before = await current0(item);
      const after = await client.apply(item.object, { dryRun, force: input.force });
      finish(item, { outcome: outcomeOf(before, after) });
      if (isNamespace(item.object)) created.add(item.object.metadata.name);
    } catch (error) {
      fail(item, error);
    }
  };
  await inPool(namespaceItems, APPLY_CONCURRENCY, () => signal.aborted, applyOne);

  const wanted = [...new Set(others.filter((item) => item.namespaced).map((item) => item.object.metadata.namespace!))];
  const existing = new Set<string>();
  await Promise.all(
    wanted.map(async (name) => {
      try {
        if ((await client.get(`/api/v1/namespaces/${encodeURIComponent(name)}`)) !== undefined) existing.add(name);
      } catch (error) {
        // Not allowed to read namespaces: let each object's apply say what is wrong.
        if (toAppError(error).code === 'FORBIDDEN') existing.add(name);
        else throw toAppError(error);
      }
    }),
  );
  const missingNamespaces = wanted.filter((name) => !existing.has(name) && !created.has(name) && !inYaml.has(name)).sort();

  const validateElsewhere = async (item: Item, namespace: string) => {
    if (signal.aborted) return;
    current = item.ref;
    report();
    // Nothing can be dry-run in a namespace that does not exist yet: the server checks the
    // object in an existing namespace instead (its name there is irrelevant: force, no write).
    const stand = existing.has(input.namespace) ? input.namespace : 'default';
    const copy = structuredClone(item.object);
    copy.metadata.namespace = stand;
    try {
      await client.apply(copy, { dryRun: true, force: true });
      item.notes.push(`Checked by the server in namespace ${stand}: namespace ${namespace} does not exist until the apply creates it.`);
      finish(item, { outcome: 'created' });
    } catch (error) {
      const appError = toAppError(error);
      if (appError.code === 'INVALID_INPUT' && appError.details?.immutable !== true) return fail(item, appError);
      if (appError.code === 'UNREACHABLE' || appError.code === 'UNAUTHORIZED') throw appError;
      item.notes.push(`Not checked by the server: namespace ${namespace} does not exist until the apply creates it.`);
      finish(item, { outcome: 'created' });
    }
  };
  await inPool(
    others,
    APPLY_CONCURRENCY,
    () => signal.aborted,
    async (item) => {
      const namespace = item.namespaced ? item.object.metadata.namespace : undefined;
      if (namespace !== undefined && missingNamespaces.includes(namespace)) {
        finish(item, { outcome: 'failed', error: missingNamespaceError(failedObject(item), namespace).toJSON() });
      } else if (namespace !== undefined && dryRun && !existing.has(namespace)) {
        await validateElsewhere(item, namespace);
      } else {
        await applyOne(item);
      }
    },
  );

  for (const item of ordered) {
    if (!results.has(item)) {
      results.set(item, {
        object: item.ref,
        ...(item.document === undefined ? {} : { document: item.document }),
        outcome: 'skipped',
        notes: ['Not sent: the operation was cancelled first.'],
      });
    }
  }
  current = undefined;
  report(true);
  if (done < total && !signal.aborted) throw new AppError('INTERNAL', 'Some objects were neither applied nor refused.');
  return {
    status: 'done',
    dryRun,
    results: ordered.map((item) => results.get(item)!),
    missingNamespaces,
    cancelled: signal.aborted && done < total,
  };
}
