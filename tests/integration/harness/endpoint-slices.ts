import type { KubeRestClient } from '../../harness/kube-rest.js';

interface ApiGroup {
  versions?: Array<{ version: string }>;
}

/** An EndpointSlice, reduced to what the tests read (same shape in v1beta1 and v1). */
export interface EndpointSliceView {
  endpoints?: Array<{ addresses: string[]; conditions?: { ready?: boolean }; topology?: Record<string, string>; nodeName?: string }>;
}

/**
 * The EndpointSlice version the server offers: discovery.k8s.io/v1 on 1.21+, only v1beta1 on the
 * 1.20 test control plane. Asked, never assumed, because Nestlab must handle both.
 */
export async function endpointSliceVersion(rest: KubeRestClient): Promise<'v1' | 'v1beta1'> {
  const group = await rest.get<ApiGroup>('/apis/discovery.k8s.io');
  const versions = (group.versions ?? []).map((v) => v.version);
  if (versions.includes('v1')) return 'v1';
  if (versions.includes('v1beta1')) return 'v1beta1';
  throw new Error(`discovery.k8s.io offers neither v1 nor v1beta1 (offers: ${versions.join(', ') || 'nothing'})`);
}

/** Addresses of ready endpoints in the Service's EndpointSlices. */
export async function readyEndpointAddresses(rest: KubeRestClient, namespace: string, service: string): Promise<string[]> {
  const version = await endpointSliceVersion(rest);
  const list = await rest.get<{ items: EndpointSliceView[] }>(
    `/apis/discovery.k8s.io/${version}/namespaces/${namespace}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${service}`)}`,
  );
  return list.items
    .flatMap((slice) => slice.endpoints ?? [])
    .filter((endpoint) => endpoint.conditions?.ready !== false)
    .flatMap((endpoint) => endpoint.addresses)
    .sort();
}
