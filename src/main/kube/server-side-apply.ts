/**
 * Server-side apply through the shared client: a PATCH of the whole object with the
 * apply-patch content type under a field manager, optionally a dry run (nothing is stored) or
 * forced (fields other managers own are taken over). Conflicts come back as CONFLICT with the
 * managers and fields (kube-errors.ts), refused fields as INVALID_INPUT with their causes.
 */
import type { KubeApi } from './kube-api';
import type { ApiDiscovery } from './discovery';

/** What an apply needs of an object: its type and name. */
export interface AppliedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

export interface ApplyOptions {
  /** Who owns the fields this apply sets (e.g. "nestlab"). */
  fieldManager: string;
  dryRun?: boolean;
  force?: boolean;
}

export async function serverSideApply<T extends AppliedObject>(
  api: KubeApi,
  discovery: ApiDiscovery,
  object: T,
  options: ApplyOptions,
): Promise<T> {
  const path = await discovery.objectPath({ ...object, name: object.metadata.name, namespace: object.metadata.namespace });
  const query: Record<string, string> = { fieldManager: options.fieldManager };
  if (options.dryRun) query.dryRun = 'All';
  if (options.force) query.force = 'true';
  // JSON is YAML: the apply-patch content type accepts it as is.
  return api.request<T>('PATCH', path, { body: object, contentType: 'application/apply-patch+yaml', query });
}
