import { describe, expect, it } from 'vitest';
import { resolveKindEndpoints } from './discovery';

describe('resolveKindEndpoints', () => {
  it('uses discovery.k8s.io/v1beta1 where it is the only version (Kubernetes 1.20)', () => {
    const endpoints = resolveKindEndpoints({
      groups: [
        { name: 'apps', versions: [{ version: 'v1' }] },
        { name: 'batch', versions: [{ version: 'v1' }, { version: 'v1beta1' }] },
        { name: 'discovery.k8s.io', versions: [{ version: 'v1beta1' }] },
        { name: 'networking.k8s.io', versions: [{ version: 'v1' }, { version: 'v1beta1' }] },
      ],
    });
    expect(endpoints.find((endpoint) => endpoint.kind === 'EndpointSlice')).toEqual({
      kind: 'EndpointSlice',
      apiVersion: 'discovery.k8s.io/v1beta1',
      path: '/apis/discovery.k8s.io/v1beta1/endpointslices',
    });
    expect(endpoints.find((endpoint) => endpoint.kind === 'Ingress')?.apiVersion).toBe('networking.k8s.io/v1');
    expect(endpoints.some((endpoint) => endpoint.kind === 'Gateway')).toBe(false);
    expect(endpoints.find((endpoint) => endpoint.kind === 'Pod')?.path).toBe('/api/v1/pods');
  });

  it('prefers discovery.k8s.io/v1 and reads the Gateway API where it is installed', () => {
    const endpoints = resolveKindEndpoints({
      groups: [
        { name: 'discovery.k8s.io', versions: [{ version: 'v1' }, { version: 'v1beta1' }] },
        { name: 'gateway.networking.k8s.io', versions: [{ version: 'v1beta1' }] },
      ],
    });
    expect(endpoints.find((endpoint) => endpoint.kind === 'EndpointSlice')?.apiVersion).toBe('discovery.k8s.io/v1');
    expect(endpoints.find((endpoint) => endpoint.kind === 'HTTPRoute')?.path).toBe('/apis/gateway.networking.k8s.io/v1beta1/httproutes');
    // Without an apps group answer the apps kinds are not guessed.
    expect(endpoints.some((endpoint) => endpoint.kind === 'Deployment')).toBe(false);
  });
});
