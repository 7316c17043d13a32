/** The fields of raw API objects (JSON as the API server sends it) that the pods service reads. */

export interface RawMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { kind?: string; name?: string; controller?: boolean }[];
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
