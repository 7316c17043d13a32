/**
 * etcd's v3 JSON gateway of a test control plane, for changes behind the API server's back
 * (deleting keys no watch will ever report, compacting so old resourceVersions answer 410 Gone).
 * Keys and values travel base64-encoded.
 */

async function etcdRequest<T>(etcdEndpoint: string, path: string, body: Record<string, unknown>): Promise<T> {
  const response = await fetch(`${etcdEndpoint}/v3/${path}`, { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`etcd ${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Deletes one key (e.g. /registry/services/specs/default/web); resolves with how many were deleted. */
export async function etcdDelete(etcdEndpoint: string, key: string): Promise<number> {
  const answer = await etcdRequest<{ deleted?: string }>(etcdEndpoint, 'kv/deleterange', { key: base64(key) });
  return Number(answer.deleted ?? 0);
}

/** Compacts etcd's history up to its current revision: every older resourceVersion is gone. */
export async function etcdCompact(etcdEndpoint: string): Promise<void> {
  const { header } = await etcdRequest<{ header: { revision: string } }>(etcdEndpoint, 'kv/range', { key: base64('/registry/') });
  await etcdRequest(etcdEndpoint, 'kv/compaction', { revision: header.revision, physical: true });
}
