import { describe, expect, it } from 'vitest';
import { parseServerVersion } from '../kube/discovery';
import { addKeyFieldDefaults, needsKeyFieldDefaults } from './old-server-defaults';
import type { KubeObject } from './yaml-documents';

describe('key fields an old server needs for server-side apply', () => {
  it('applies to servers before 1.21 only, reading versions like "20+"', () => {
    expect(needsKeyFieldDefaults(parseServerVersion({ major: '1', minor: '20+' }))).toBe(true);
    expect(needsKeyFieldDefaults(parseServerVersion({ major: '1', minor: '19' }))).toBe(true);
    expect(needsKeyFieldDefaults(parseServerVersion({ major: '1', minor: '21' }))).toBe(false);
    expect(needsKeyFieldDefaults(parseServerVersion({}))).toBe(false);
  });

  it('sets protocol TCP on Service ports and container ports that omit it, and says where', () => {
    const service: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'front' },
      spec: { ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] },
    };
    expect(addKeyFieldDefaults(service)).toEqual([
      "Set protocol: TCP (the server's own default) on spec.ports[0].protocol: Kubernetes before 1.21 refuses a server-side apply that omits it.",
    ]);
    expect(service.spec).toEqual({
      ports: [
        { port: 80, protocol: 'TCP' },
        { port: 53, protocol: 'UDP' },
      ],
    });

    const cronJob: KubeObject = {
      apiVersion: 'batch/v1beta1',
      kind: 'CronJob',
      metadata: { name: 'tick' },
      spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80 }] }] } } } } },
    };
    expect(addKeyFieldDefaults(cronJob)[0]).toContain('spec.jobTemplate.spec.template.spec.containers[0].ports[0].protocol');
  });

  it('leaves objects that name every protocol, and custom resources, alone', () => {
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { template: { spec: { containers: [{ name: 'web', ports: [{ containerPort: 80, protocol: 'TCP' }] }] } } },
    };
    expect(addKeyFieldDefaults(deployment)).toEqual([]);
    const custom: KubeObject = { apiVersion: 'example.com/v1', kind: 'Service', metadata: { name: 'x' }, spec: { ports: [{ port: 1 }] } };
    expect(addKeyFieldDefaults(custom)).toEqual([]);
    expect(custom.spec).toEqual({ ports: [{ port: 1 }] });
  });
});
