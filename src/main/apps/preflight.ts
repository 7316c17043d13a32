/**
 * The checks before any write of a catalog deploy: Ready nodes of the app's OS, RBAC for every
 * kind in the namespace (SelfSubjectAccessReview), names free or already this instance's, and a
 * server-side dry run when the namespace exists. Reads only; every outcome is a value.
 */
import { APP_INSTANCE_LABEL, type PreflightProblem, type PreflightResult, type TargetOs } from '../../shared/contract/apps';
import { AppError } from '../../shared/errors';
import { toAppError } from '../kube/kube-errors';
import type { KubeClient } from './kube-client';
import { describeRef, imagesOf, refOf, tolerationsOf, type Toleration } from './manifest';
import type { KubeObject } from './yaml-documents';

interface Taint {
  key?: string;
  value?: string;
  effect?: string;
}

interface RawNode {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: { unschedulable?: boolean; taints?: Taint[] };
  status?: { conditions?: { type?: string; status?: string }[] };
}

/** The scheduler's rule: a toleration matches a taint by key (or every key with Exists and no key), value and effect. */
function tolerated(taint: Taint, tolerations: readonly Toleration[]): boolean {
  return tolerations.some((toleration) => {
    if (toleration.effect && toleration.effect !== taint.effect) return false;
    if (toleration.operator === 'Exists') return !toleration.key || toleration.key === taint.key;
    return toleration.key === taint.key && (toleration.value ?? '') === (taint.value ?? '');
  });
}

/** Taints that keep pods with these tolerations off a node (PreferNoSchedule only prefers). */
function blockingTaints(node: RawNode, tolerations: readonly Toleration[]): Taint[] {
  return (node.spec?.taints ?? []).filter(
    (taint) => (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !tolerated(taint, tolerations),
  );
}

const describeTaint = (taint: Taint) => `${taint.key ?? ''}${taint.value ? `=${taint.value}` : ''}:${taint.effect ?? ''}`;

export const HOW_TO_ADD_WINDOWS_WORKERS =
  'Add a Windows worker: in Labs, give the cluster one or more Windows workers (Windows Server 2019 or later), or join a Windows node with `kubeadm join`; then check `kubectl get nodes -l kubernetes.io/os=windows` shows it Ready.';

function howToAddNodes(os: TargetOs): string {
  return os === 'windows'
    ? HOW_TO_ADD_WINDOWS_WORKERS
    : 'Add a Linux worker (Labs -> scale the Linux pool, or `kubeadm join`), or uncordon one: `kubectl get nodes -l kubernetes.io/os=linux` must show a Ready node.';
}

/** Ready, schedulable nodes of an OS that pods with `tolerations` can run on, and Ready ones their taints keep out. */
export async function readyNodesOf(
  client: KubeClient,
  os: TargetOs,
  tolerations: readonly Toleration[] = [],
): Promise<{ ready: string[]; tainted: { name: string; taints: string[] }[] }> {
  const list = await client.request<{ items?: RawNode[] }>('GET', '/api/v1/nodes', { query: { labelSelector: `kubernetes.io/os=${os}` } });
  const usable = (list.items ?? []).filter(
    (node) => !node.spec?.unschedulable && node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  );
  const ready: string[] = [];
  const tainted: { name: string; taints: string[] }[] = [];
  for (const node of usable) {
    const name = node.metadata?.name ?? '';
    const taints = blockingTaints(node, tolerations);
    if (taints.length === 0) ready.push(name);
    else tainted.push({ name, taints: taints.map(describeTaint) });
  }
  return { ready: ready.sort(), tainted: tainted.sort((a, b) => a.name.localeCompare(b.name)) };
}

async function canI(client: KubeClient, verb: string, group: string, resource: string, namespace?: string): Promise<boolean> {
  const review = await client.request<{ status?: { allowed?: boolean } }>(
    'POST',
    '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { verb, group, resource, ...(namespace === undefined ? {} : { namespace }) } },
      },
    },
  );
  return review.status?.allowed === true;
}

export interface PreflightInput {
  client: KubeClient;
  os: TargetOs;
  namespace: string;
  instance: string;
  /** Prepared objects (namespace, labels, images set), the app's record ConfigMap included. */
  objects: KubeObject[];
}

export async function runPreflight(input: PreflightInput): Promise<PreflightResult> {
  const { client, os, namespace, instance, objects } = input;
  const problems: PreflightProblem[] = [];
  const images = [...new Set(objects.flatMap(imagesOf))];

  let readyNodes: string[] = [];
  try {
    const nodes = await readyNodesOf(client, os, [...new Map(objects.flatMap(tolerationsOf).map((t) => [JSON.stringify(t), t])).values()]);
    readyNodes = nodes.ready;
    if (readyNodes.length === 0) {
      const osName = os === 'windows' ? 'Windows' : 'Linux';
      const taintNote =
        nodes.tainted.length === 0
          ? ''
          : ` (${nodes.tainted.map((node) => `${node.name} is tainted ${node.taints.join(', ')}`).join('; ')}, and the app does not tolerate that)`;
      problems.push({
        code: 'NOT_FOUND',
        message: `The cluster has no Ready ${osName} node this app's pods may run on${taintNote}: they could never be scheduled.`,
        fix: howToAddNodes(os),
        blocking: true,
      });
    }
  } catch (error) {
    const appError = toAppError(error);
    if (appError.code !== 'FORBIDDEN') throw appError;
    problems.push({
      code: 'FORBIDDEN',
      message: `Nodes cannot be listed with these credentials, so Ready ${os} nodes were not checked.`,
      blocking: false,
    });
  }

  let createsNamespace = false;
  try {
    createsNamespace = (await client.get(`/api/v1/namespaces/${namespace}`)) === undefined;
  } catch (error) {
    if (toAppError(error).code !== 'FORBIDDEN') throw toAppError(error);
  }
  if (createsNamespace && !(await canI(client, 'create', '', 'namespaces'))) {
    problems.push({
      code: 'FORBIDDEN',
      message: `Namespace ${namespace} does not exist and you may not create namespaces.`,
      fix: 'Pick an existing namespace you may write to.',
      blocking: true,
    });
  }

  // RBAC per kind: apply needs patch, and create for objects that do not exist yet.
  const kinds = new Map<string, { group: string; plural: string }>();
  for (const object of objects) {
    const info = await client.resource(object.apiVersion, object.kind);
    const group = object.apiVersion.includes('/') ? (object.apiVersion.split('/')[0] ?? '') : '';
    kinds.set(`${group}/${info.plural}`, { group, plural: info.plural });
  }
  for (const { group, plural } of kinds.values()) {
    for (const verb of ['create', 'patch']) {
      if (!(await canI(client, verb, group, plural, namespace))) {
        problems.push({
          code: 'FORBIDDEN',
          message: `You may not ${verb} ${plural} in namespace ${namespace}.`,
          fix: `Ask for a Role that allows ${verb} on ${plural}${group ? `.${group}` : ''} in ${namespace}, or use another namespace or context.`,
          blocking: true,
        });
        break;
      }
    }
  }

  // Names: free, or already this instance's (a re-deploy).
  if (!createsNamespace) {
    for (const object of objects) {
      let existing: KubeObject | undefined;
      try {
        existing = await client.get<KubeObject>(await client.objectPath({ ...refOf(object) }));
      } catch (error) {
        if (toAppError(error).code === 'FORBIDDEN') continue; // the RBAC check above already says so
        throw toAppError(error);
      }
      if (existing && existing.metadata.labels?.[APP_INSTANCE_LABEL] !== instance) {
        const owner = existing.metadata.labels?.[APP_INSTANCE_LABEL];
        problems.push({
          code: 'ALREADY_EXISTS',
          message: `${describeRef(refOf(object))} already exists${owner ? ` and belongs to app instance "${owner}"` : ' and was not created by this app'}.`,
          fix: 'Deploy into another namespace, or remove that object first.',
          blocking: true,
          object: refOf(object),
        });
      }
    }
  }

  // The server's own validation, without writing (needs the namespace to exist).
  if (!createsNamespace && !problems.some((problem) => problem.blocking)) {
    for (const object of objects) {
      try {
        await client.apply(object, { dryRun: true, force: true });
      } catch (error) {
        const appError = error instanceof AppError ? error : toAppError(error);
        if (appError.code === 'UNREACHABLE') throw appError;
        problems.push({
          code: appError.code,
          message: `${describeRef(refOf(object))}: ${appError.message}`,
          blocking: true,
          object: refOf(object),
        });
      }
    }
  }

  return { ok: !problems.some((problem) => problem.blocking), readyNodes, createsNamespace, images, problems };
}
