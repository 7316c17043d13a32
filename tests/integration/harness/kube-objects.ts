/** Minimal views of objects the harness tests read back from the API server. */

export interface PodView {
  metadata: { name: string; namespace: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: {
    phase?: string;
    podIP?: string;
    hostIP?: string;
    conditions?: Array<{ type: string; status: string }>;
    containerStatuses?: Array<{ name: string; ready: boolean; started?: boolean; state?: { running?: unknown } }>;
  };
}

export interface NodeView {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { taints?: Array<{ key: string; effect: string }> };
  status: { conditions?: Array<{ type: string; status: string }>; nodeInfo?: { operatingSystem?: string; kubeletVersion?: string } };
}

export interface ListOf<T> {
  items: T[];
}

/** Status of a condition, e.g. conditionStatus(node, 'Ready') === 'True'. */
export function conditionStatus(
  object: { status: { conditions?: Array<{ type: string; status: string }> } },
  type: string,
): string | undefined {
  return object.status.conditions?.find((c) => c.type === type)?.status;
}

/** A one-container Deployment manifest. */
export function deployment(name: string, replicas: number, nodeSelector: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { nodeSelector, containers: [{ name: 'web', image: 'nginx:1.19', ports: [{ containerPort: 80 }] }] },
      },
    },
  };
}
