/**
 * The objects of a scale fixture (see pod-fill-plan.ts), as the controllers would have made
 * them: a Deployment, its ReplicaSet (owned by it, the same template plus pod-template-hash) and
 * pods owned by the ReplicaSet, already bound to their node.
 */
import type { PlannedApp, PlannedIngress, PlannedPod } from './pod-fill-plan.js';
import { UNSCHEDULABLE_SELECTOR } from './pod-fill-plan.js';
import { SIMULATED_FAILURE_ANNOTATION } from './simulated-pods.js';

type Json = Record<string, unknown>;

/** A reference to an object's controller (what ReplicaSets and pods carry). */
export interface OwnerRef {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

const IMAGES = { linux: 'nginx:1.19', windows: 'mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2019' };

function template(app: PlannedApp, extraLabels: Record<string, string> = {}): Json {
  return {
    metadata: { labels: { app: app.name, ...extraLabels } },
    spec: {
      nodeSelector: { 'kubernetes.io/os': app.os },
      containers: [
        {
          name: 'app',
          image: IMAGES[app.os],
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          resources: { requests: { cpu: '10m', memory: '32Mi' } },
        },
      ],
    },
  };
}

export function deploymentObject(app: PlannedApp): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: app.name,
      namespace: app.namespace,
      labels: { app: app.name },
      annotations: { 'deployment.kubernetes.io/revision': '1' },
    },
    spec: { replicas: app.pods.length, selector: { matchLabels: { app: app.name } }, template: template(app) },
  };
}

export function replicaSetName(app: PlannedApp): string {
  return `${app.name}-${app.hash}`;
}

/**
 * The ReplicaSet the deployment controller would have made: its template equals the
 * Deployment's but for pod-template-hash (the controller compares them ignoring that label, so
 * it takes this one as its current ReplicaSet), with the annotations it sets (default maxSurge 25%).
 */
export function replicaSetObject(app: PlannedApp, owner: OwnerRef): Json {
  const replicas = app.pods.length;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: replicaSetName(app),
      namespace: app.namespace,
      labels: { app: app.name, 'pod-template-hash': app.hash },
      annotations: {
        'deployment.kubernetes.io/desired-replicas': String(replicas),
        'deployment.kubernetes.io/max-replicas': String(replicas + Math.ceil(replicas * 0.25)),
        'deployment.kubernetes.io/revision': '1',
      },
      ownerReferences: [controllerRef(owner)],
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: app.name, 'pod-template-hash': app.hash } },
      template: template(app, { 'pod-template-hash': app.hash }),
    },
  };
}

/**
 * A pod of the ReplicaSet. `tolerateNotReady`: the node will go NotReady; the pod tolerates that
 * for ever (as DaemonSet pods do) so the taint manager does not evict it after 300 s, which would
 * make the ReplicaSet replace it and the pod count drift in the middle of a benchmark.
 */
export function podObject(app: PlannedApp, pod: PlannedPod, owner: OwnerRef, options: { tolerateNotReady?: boolean } = {}): Json {
  const base = template(app, { 'pod-template-hash': app.hash }) as { metadata: Json; spec: Json };
  const spec: Json = { ...base.spec };
  if (pod.nodeName !== undefined) spec.nodeName = pod.nodeName;
  if (pod.failure === 'Unschedulable') spec.nodeSelector = { ...(spec.nodeSelector as Json), ...UNSCHEDULABLE_SELECTOR };
  if (options.tolerateNotReady === true) {
    spec.tolerations = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'].map((key) => ({
      key,
      operator: 'Exists',
      effect: 'NoExecute',
    }));
  }
  const failure = pod.failure === 'CrashLoopBackOff' || pod.failure === 'ImagePullBackOff' ? pod.failure : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pod.name,
      generateName: `${replicaSetName(app)}-`,
      namespace: app.namespace,
      labels: base.metadata.labels,
      ...(failure !== undefined ? { annotations: { [SIMULATED_FAILURE_ANNOTATION]: failure } } : {}),
      ownerReferences: [controllerRef(owner)],
    },
    spec,
  };
}

export function serviceObject(app: PlannedApp): Json {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: app.name, namespace: app.namespace, labels: { app: app.name } },
    spec: { selector: { app: app.name }, ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }] },
  };
}

export function ingressObject(ingress: PlannedIngress): Json {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: ingress.name, namespace: ingress.namespace },
    spec: {
      rules: ingress.services.map((service) => ({
        // .test is reserved (RFC 2606): nothing resolves it, nothing is contacted.
        host: `${service}.${ingress.namespace}.fill.test`,
        http: {
          paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { number: 80 } } } }],
        },
      })),
    },
  };
}

function controllerRef(owner: OwnerRef): Json {
  return { ...owner, controller: true, blockOwnerDeletion: true };
}
