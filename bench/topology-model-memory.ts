/**
 * Benchmark: what the main process's compact topology model holds at 30,000 pods (issue #23:
 * the topology service alone under 400 MB RSS). No API server: raw objects shaped as a 1.20 API
 * server lists them (managedFields, specs, statuses) are serialised in pages of 500 and parsed
 * back, as a list page arrives, then compacted (compact.ts) into the TopologyModel the watchers
 * fill. Prints the live heap (after a full GC) of the model, per pod, and the JSON size of a
 * snapshot; no targets of its own (bench/topology-scale.ts measures the service's RSS end to end).
 *
 * Run: npm run bench -- topology-model-memory   (NESTLAB_BENCH_PODS, default 30000; a few seconds)
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import type { TopologyKind } from '../src/shared/contract/topology';
import { compactObject, SharedValues } from '../src/main/topology/compact';
import type { ModelEntry } from '../src/main/topology/kind-watcher';
import { TopologyModel } from '../src/main/topology/topology-model';
import type { RawObject } from '../src/main/kube/raw-types';

const PODS = Number(process.env.NESTLAB_BENCH_PODS ?? 30_000);
const NODES = Math.max(2, Math.round(PODS / 100));
const DEPLOYMENTS = Math.max(1, Math.round(PODS / 100));
const PAGE = 500;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const liveHeap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const stamp = '2026-12-03T08:00:00Z';
const hex = (n: number, width = 8) => n.toString(16).padStart(width, '0');
const uid = (kind: number, n: number) => `${hex(kind)}-${hex(n, 4)}-4a1b-9c2d-${hex(n * 7919 + kind, 12)}`;

function managedFields(manager: string): unknown[] {
  return [
    {
      manager,
      operation: 'Update',
      apiVersion: 'v1',
      time: stamp,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:generateName': {}, 'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {} }, 'f:ownerReferences': {} },
        'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': {}, 'f:resources': {} } } },
      },
    },
    {
      manager: 'kubelet',
      operation: 'Update',
      apiVersion: 'v1',
      time: stamp,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:status': { 'f:conditions': {}, 'f:containerStatuses': {}, 'f:hostIP': {}, 'f:phase': {}, 'f:podIP': {}, 'f:podIPs': {} },
      },
    },
  ];
}

function rawPod(n: number): RawObject {
  const deployment = n % DEPLOYMENTS;
  const namespace = `team-${deployment % 30}`;
  const rs = `web-${deployment}-6d4cf56db6`;
  const node = `worker-${(n * 7) % NODES}`;
  const condition = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: stamp });
  return {
    metadata: {
      name: `${rs}-${hex(n, 5)}`,
      generateName: `${rs}-`,
      namespace,
      uid: uid(1, n),
      resourceVersion: String(100_000 + n),
      creationTimestamp: stamp,
      labels: { app: `web-${deployment}`, 'pod-template-hash': '6d4cf56db6' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: uid(2, deployment), controller: true, blockOwnerDeletion: true },
      ],
      managedFields: managedFields('kube-controller-manager'),
    },
    spec: {
      volumes: [{ name: 'default-token-x7k2p', secret: { secretName: 'default-token-x7k2p', defaultMode: 420 } }],
      containers: [
        {
          name: 'web',
          image: 'registry.lab.test/web:1.0',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          resources: {},
          volumeMounts: [{ name: 'default-token-x7k2p', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }],
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      serviceAccountName: 'default',
      serviceAccount: 'default',
      nodeName: node,
      securityContext: {},
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {
      phase: 'Running',
      conditions: [condition('Initialized'), condition('Ready'), condition('ContainersReady'), condition('PodScheduled')],
      hostIP: '127.0.0.1',
      podIP: `10.244.${(n >> 8) & 255}.${n & 255}`,
      podIPs: [{ ip: `10.244.${(n >> 8) & 255}.${n & 255}` }],
      startTime: stamp,
      containerStatuses: [
        {
          name: 'web',
          state: { running: { startedAt: stamp } },
          lastState: {},
          ready: true,
          restartCount: 0,
          image: 'registry.lab.test/web:1.0',
          imageID: 'registry.lab.test/web@sha256:0f3e1b4c5d6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c',
          containerID: `containerd://${hex(n, 16)}${hex(n * 31, 16)}${hex(n * 17, 16)}${hex(n * 13, 16)}`,
          started: true,
        },
      ],
      qosClass: 'BestEffort',
    },
  } as unknown as RawObject;
}

function rawNode(n: number): RawObject {
  return {
    metadata: {
      name: `worker-${n}`,
      uid: uid(3, n),
      resourceVersion: String(n),
      creationTimestamp: stamp,
      labels: { 'kubernetes.io/os': n % 10 === 9 ? 'windows' : 'linux', 'kubernetes.io/hostname': `worker-${n}` },
      annotations: { 'nestlab.dev/host': `lab-${n % 3}`, 'nestlab.dev/vm': `lab-${n % 3}-worker-${n}` },
    },
    spec: {},
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      nodeInfo: { kubeletVersion: 'v1.20.2', osImage: 'Debian GNU/Linux 12 (bookworm)', operatingSystem: 'linux' },
    },
  };
}

function rawWorkload(kind: 'Deployment' | 'ReplicaSet', n: number): RawObject {
  const name = kind === 'Deployment' ? `web-${n}` : `web-${n}-6d4cf56db6`;
  const metadata: Record<string, unknown> = {
    name,
    namespace: `team-${n % 30}`,
    uid: uid(kind === 'Deployment' ? 4 : 2, n),
    creationTimestamp: stamp,
  };
  if (kind === 'ReplicaSet') metadata.ownerReferences = [{ kind: 'Deployment', name: `web-${n}`, uid: uid(4, n), controller: true }];
  return { metadata, spec: { replicas: 100 }, status: { readyReplicas: 100 } };
}

function rawSlice(n: number, pods: number[]): RawObject {
  return {
    metadata: { name: `web-${n}-abcde`, namespace: `team-${n % 30}`, uid: uid(5, n), labels: { 'kubernetes.io/service-name': `web-${n}` } },
    endpoints: pods.map((pod) => ({
      addresses: [`10.244.0.${pod & 255}`],
      conditions: { ready: true },
      targetRef: { kind: 'Pod', uid: uid(1, pod) },
    })),
  };
}

/** Lists `raws` into the model as a watcher does: a page of JSON at a time, parsed, then compacted. */
function listInto(model: TopologyModel, kind: TopologyKind, raws: RawObject[]): number {
  let bytes = 0;
  const entries: ModelEntry[] = [];
  for (let start = 0; start < raws.length; start += PAGE) {
    const text = JSON.stringify({ items: raws.slice(start, start + PAGE) });
    bytes += text.length;
    for (const raw of (JSON.parse(text) as { items: RawObject[] }).items) {
      entries.push({
        uid: raw.metadata!.uid!,
        resourceVersion: raw.metadata!.resourceVersion ?? '',
        object: compactObject(kind, raw, shared),
      });
    }
  }
  model.replace(kind, entries);
  return bytes;
}

const before = liveHeap();
const shared = new SharedValues();
const model = new TopologyModel();
let rawBytes = 0;
const podsOf = new Map<number, number[]>();
rawBytes += listInto(
  model,
  'Node',
  Array.from({ length: NODES }, (_, n) => rawNode(n)),
);
rawBytes += listInto(
  model,
  'Deployment',
  Array.from({ length: DEPLOYMENTS }, (_, n) => rawWorkload('Deployment', n)),
);
rawBytes += listInto(
  model,
  'ReplicaSet',
  Array.from({ length: DEPLOYMENTS }, (_, n) => rawWorkload('ReplicaSet', n)),
);
// Pods in pages built as they go, so the raw objects are never all held at once.
let podBytes = 0;
const podEntries: ModelEntry[] = [];
for (let start = 0; start < PODS; start += PAGE) {
  const page = Array.from({ length: Math.min(PAGE, PODS - start) }, (_, i) => rawPod(start + i));
  for (let i = 0; i < page.length; i += 1) {
    const deployment = (start + i) % DEPLOYMENTS;
    podsOf.set(deployment, [...(podsOf.get(deployment) ?? []), start + i]);
  }
  const text = JSON.stringify({ items: page });
  podBytes += text.length;
  for (const raw of (JSON.parse(text) as { items: RawObject[] }).items)
    podEntries.push({
      uid: raw.metadata!.uid!,
      resourceVersion: raw.metadata!.resourceVersion ?? '',
      object: compactObject('Pod', raw, shared),
    });
}
model.replace('Pod', podEntries);
podEntries.length = 0;
rawBytes += podBytes;
rawBytes += listInto(
  model,
  'EndpointSlice',
  Array.from({ length: DEPLOYMENTS }, (_, n) => rawSlice(n, podsOf.get(n) ?? [])),
);
podsOf.clear();
model.takeChanges();
const held = liveHeap() - before;
const snapshot = JSON.stringify(model.all());
const samplePod = model.all().find((object) => object.kind === 'Pod');
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
console.log(`objects in the model: ${model.size} (${PODS} pods, ${NODES} nodes, ${DEPLOYMENTS} Deployments/ReplicaSets/EndpointSlices)`);
console.log(
  `raw list JSON (as listed, in pages of ${PAGE}): ${mb(rawBytes)} MB, pods ${mb(podBytes)} MB (${Math.round(podBytes / PODS)} bytes a pod)`,
);
console.log(`live heap of the compact model after a full GC: ${mb(held)} MB (${Math.round(held / PODS)} bytes a pod, all kinds included)`);
console.log(`snapshot JSON of the model: ${mb(snapshot.length)} MB (${Math.round(snapshot.length / model.size)} bytes an object)`);
console.log(`RSS of this process: ${mb(process.memoryUsage().rss)} MB`);
console.log(`a compact pod: ${JSON.stringify(samplePod)}`);
