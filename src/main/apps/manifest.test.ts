import { describe, expect, it } from 'vitest';
import { prepareObject, rewriteImage } from './manifest';
import type { KubeObject } from './yaml-documents';

describe('rewriteImage', () => {
  it('keeps images as they are without a mirror', () => {
    expect(rewriteImage('nginx:1.25-alpine', '')).toBe('nginx:1.25-alpine');
    expect(rewriteImage('nginx:1.25-alpine', '   ')).toBe('nginx:1.25-alpine');
  });

  it('replaces the registry and keeps the repository path', () => {
    expect(rewriteImage('mcr.microsoft.com/azuredocs/azure-vote-front:v1', 'mirror.lab:5000')).toBe(
      'mirror.lab:5000/azuredocs/azure-vote-front:v1',
    );
    expect(rewriteImage('localhost/tool:1', 'mirror.lab')).toBe('mirror.lab/tool:1');
    expect(rewriteImage('registry:5000/team/app@sha256:abc', 'mirror.lab/')).toBe('mirror.lab/team/app@sha256:abc');
  });

  it('gives Docker Hub names their implicit library/ and keeps user repositories', () => {
    expect(rewriteImage('nginx:1.25', 'mirror.lab:5000/hub')).toBe('mirror.lab:5000/hub/library/nginx:1.25');
    expect(rewriteImage('bitnami/redis:6', 'mirror.lab')).toBe('mirror.lab/bitnami/redis:6');
  });
});

describe('prepareObject', () => {
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { initContainers: [{ name: 'i', image: 'busybox' }], containers: [{ name: 'web', image: 'nginx:1' }] },
      },
    },
  };

  it('sets the namespace, labels the object and its pod template, rewrites every image, and leaves the original alone', () => {
    const prepared = prepareObject(deployment, { namespace: 'lab', instance: 'web-1', registryMirror: 'm.lab', isNamespaced: () => true });
    const labels = { app: 'web', 'app.kubernetes.io/managed-by': 'nestlab', 'nestlab.dev/app-instance': 'web-1' };
    expect(prepared.metadata).toEqual({ name: 'web', namespace: 'lab', labels });
    const spec = prepared.spec as {
      selector: unknown;
      template: { metadata: { labels: unknown }; spec: { initContainers: { image: string }[]; containers: { image: string }[] } };
    };
    expect(spec.template.metadata.labels).toEqual(labels);
    expect(spec.selector).toEqual({ matchLabels: { app: 'web' } }); // selectors are immutable: never touched
    expect(spec.template.spec.initContainers[0]?.image).toBe('m.lab/library/busybox');
    expect(spec.template.spec.containers[0]?.image).toBe('m.lab/library/nginx:1');
    expect(deployment.metadata.namespace).toBeUndefined();
  });

  it('drops the namespace of cluster-scoped objects', () => {
    const role: KubeObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r', namespace: 'x' } };
    expect(
      prepareObject(role, { namespace: 'lab', instance: 'a', registryMirror: '', isNamespaced: () => false }).metadata.namespace,
    ).toBeUndefined();
  });
});
