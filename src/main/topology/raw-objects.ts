/**
 * The few fields of Kubernetes JSON the compact model reads. Everything is optional: the API
 * server's JSON is trusted for shape but not for completeness (a pod has no status at first).
 */
export interface RawOwnerReference {
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
}

export interface RawMetadata {
  uid?: string;
  name?: string;
  namespace?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: RawOwnerReference[];
  creationTimestamp?: string;
  deletionTimestamp?: string;
}

export interface RawCondition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

export interface RawContainerStatus {
  restartCount?: number;
  state?: { waiting?: { reason?: string }; terminated?: { reason?: string } };
}

export interface RawObject {
  kind?: string;
  metadata?: RawMetadata;
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

/** A list response (`items` plus the list's resourceVersion and a continue token when paged). */
export interface RawList {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: RawObject[];
}

/** A watch event line. */
export interface RawWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: RawObject & { code?: number; message?: string; reason?: string };
}
