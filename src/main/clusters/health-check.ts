/**
 * One connection test: /version, the nodes (Linux / Windows by kubernetes.io/os) and whether this
 * identity may list nodes (SelfSubjectAccessReview; 1.20 has no SelfSubjectReview to ask who we are).
 */
import type { ClusterNode, ConnectionTestResult, NodeCounts } from '../../shared/contract/clusters';
import { AppError } from '../../shared/errors';
import type { ConnectionTarget } from '../kube/connection-target';
import type { KubeRequester } from '../kube/target-request';

interface NodeObject {
  metadata?: { name?: string; labels?: Record<string, string> };
  status?: { conditions?: { type?: string; status?: string }[]; nodeInfo?: { kubeletVersion?: string; operatingSystem?: string } };
}

export async function checkHealth(
  request: KubeRequester,
  target: ConnectionTarget,
  identity: string,
  timeoutMs: number,
): Promise<Omit<Extract<ConnectionTestResult, { ok: true }>, 'checkedAt' | 'durationMs'>> {
  const version = (await request(target, { path: '/version', timeoutMs })) as { gitVersion?: string; platform?: string };
  let nodes: NodeCounts | { error: ReturnType<AppError['toJSON']> };
  let user = identity;
  try {
    nodes = countNodes(await listNodeObjects(request, target, timeoutMs));
  } catch (error) {
    const appError = AppError.from(error);
    if (typeof appError.details?.user === 'string') user = appError.details.user;
    nodes = { error: appError.toJSON() };
  }
  const canListNodes = await request(target, {
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: { resourceAttributes: { verb: 'list', resource: 'nodes' } },
    },
    timeoutMs,
  }).then(
    (review) => (review as { status?: { allowed?: boolean } }).status?.allowed === true,
    () => false,
  );
  return {
    ok: true,
    version: version.gitVersion ?? 'unknown',
    platform: version.platform ?? '',
    nodes,
    identity: { user, canListNodes },
  };
}

export async function listNodeObjects(request: KubeRequester, target: ConnectionTarget, timeoutMs: number): Promise<NodeObject[]> {
  const list = (await request(target, { path: '/api/v1/nodes', timeoutMs })) as { items?: NodeObject[] };
  return list.items ?? [];
}

export function toClusterNode(node: NodeObject): ClusterNode {
  const labels = node.metadata?.labels ?? {};
  return {
    name: node.metadata?.name ?? '',
    os: osOf(node),
    ready: isReady(node),
    roles: Object.keys(labels)
      .filter((label) => label.startsWith('node-role.kubernetes.io/'))
      .map((label) => label.slice('node-role.kubernetes.io/'.length))
      .filter(Boolean)
      .sort(),
    kubeletVersion: node.status?.nodeInfo?.kubeletVersion ?? '',
  };
}

function countNodes(items: NodeObject[]): NodeCounts {
  const counts: NodeCounts = { total: items.length, ready: 0, linux: 0, windows: 0, other: 0 };
  for (const node of items) {
    if (isReady(node)) counts.ready += 1;
    const os = osOf(node);
    if (os === 'linux') counts.linux += 1;
    else if (os === 'windows') counts.windows += 1;
    else counts.other += 1;
  }
  return counts;
}

function osOf(node: NodeObject): string {
  return node.metadata?.labels?.['kubernetes.io/os'] ?? node.status?.nodeInfo?.operatingSystem ?? 'unknown';
}

function isReady(node: NodeObject): boolean {
  return node.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false;
}
