/**
 * The fields of Kubernetes objects as the API server sends them (JSON) that Nestlab reads: one set
 * for every domain (topology, pods, apps). Everything is optional: the server's JSON is trusted
 * for shape but not for completeness (a pod has no status at first).
 */

export interface RawMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: RawOwnerReference[];
}

export interface RawOwnerReference {
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
}

export interface RawCondition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface RawContainer {
  name?: string;
  image?: string;
  ports?: { name?: string; containerPort?: number; protocol?: string }[];
}

export interface RawContainerStatus {
  name?: string;
  ready?: boolean;
  restartCount?: number;
  state?: {
    running?: { startedAt?: string };
    waiting?: { reason?: string; message?: string };
    terminated?: { reason?: string; exitCode?: number; message?: string };
  };
}

export interface RawPod {
  metadata?: RawMeta;
  spec?: {
    nodeName?: string;
    nodeSelector?: Record<string, string>;
    containers?: RawContainer[];
    initContainers?: RawContainer[];
    serviceAccountName?: string;
  };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    podIP?: string;
    podIPs?: { ip?: string }[];
    hostIP?: string;
    qosClass?: string;
    conditions?: RawCondition[];
    containerStatuses?: RawContainerStatus[];
    initContainerStatuses?: RawContainerStatus[];
  };
}

export interface RawLabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key?: string; operator?: string; values?: string[] }[];
}

export interface RawDeployment {
  metadata?: RawMeta;
  spec?: {
    replicas?: number;
    selector?: RawLabelSelector;
    strategy?: { type?: string; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } };
    template?: { spec?: { containers?: RawContainer[]; initContainers?: RawContainer[]; nodeSelector?: Record<string, string> } };
  };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: RawCondition[];
  };
}

export interface RawServicePort {
  name?: string;
  port?: number;
  protocol?: string;
  targetPort?: number | string;
  nodePort?: number;
}

export interface RawService {
  metadata?: RawMeta;
  spec?: {
    type?: string;
    clusterIP?: string;
    externalIPs?: string[];
    selector?: Record<string, string>;
    ports?: RawServicePort[];
    sessionAffinity?: string;
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

export interface RawEvent {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  series?: { count?: number; lastObservedTime?: string };
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  metadata?: { creationTimestamp?: string };
}

export interface RawList<T> {
  items?: T[];
}

/** Any object a topology watch lists: the fields of every kind it maps, in one shape. */
export interface RawObject {
  kind?: string;
  metadata?: RawMeta;
  spec?: {
    nodeName?: string;
    unschedulable?: boolean;
    replicas?: number;
    completions?: number;
    parallelism?: number;
    type?: string;
    clusterIP?: string;
    ports?: { port?: number; protocol?: string; nodePort?: number; name?: string }[];
    rules?: {
      host?: string;
      http?: { paths?: { backend?: { serviceName?: string; service?: { name?: string } } }[] };
      backendRefs?: { name?: string; namespace?: string; kind?: string }[];
    }[];
    backend?: { serviceName?: string };
    defaultBackend?: { service?: { name?: string } };
    gatewayClassName?: string;
    parentRefs?: { name?: string; namespace?: string; kind?: string }[];
  };
  status?: {
    phase?: string;
    podIP?: string;
    conditions?: RawCondition[];
    containerStatuses?: RawContainerStatus[];
    initContainerStatuses?: RawContainerStatus[];
    reason?: string;
    readyReplicas?: number;
    numberReady?: number;
    desiredNumberScheduled?: number;
    succeeded?: number;
    active?: number;
    nodeInfo?: { kubeletVersion?: string; osImage?: string; operatingSystem?: string };
    loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] };
  };
  /** EndpointSlice (v1 and v1beta1). */
  endpoints?: { conditions?: { ready?: boolean }; targetRef?: { kind?: string; uid?: string } }[];
}
