import { describe, expect, it } from 'vitest';
import { mirroredImage } from '../labs/registry-mirror';
import { prepareObject, rewriteImage } from './manifest';
import type { KubeObject } from './yaml-documents';

describe('rewriteImage', () => {
  it('keeps images as they are without a mirror', () => {
    expect(rewriteImage('nginx:1.25-alpine', '')).toBe('nginx:1.25-alpine');
    expect(rewriteImage('nginx:1.25-alpine', '   ')).toBe('nginx:1.25-alpine');
  });

  it('puts each registry under a path named after it, as labs do (one mirror layout for apps and labs)', () => {
    expect(rewriteImage('mcr.microsoft.com/azuredocs/azure-vote-front:v1', 'mirror.lab:5000')).toBe(
      'mirror.lab:5000/mcr.microsoft.com/azuredocs/azure-vote-front:v1',
    );
    expect(rewriteImage('localhost/tool:1', 'mirror.lab')).toBe('mirror.lab/localhost/tool:1');
    expect(rewriteImage('registry:5000/team/app@sha256:abc', 'mirror.lab/')).toBe('mirror.lab/registry:5000/team/app@sha256:abc');
    // The same reference a lab's containerd asks the mirror for.
    expect(rewriteImage('quay.io/metallb/controller:v0.14.9', 'mirror.lab:5000')).toBe(
      mirroredImage('quay.io/metallb/controller:v0.14.9', 'http://mirror.lab:5000'),
    );
  });

  it('completes Docker Hub names as containerd does, keeping a path prefix of the mirror', () => {
    expect(rewriteImage('nginx:1.25', 'mirror.lab:5000/hub')).toBe('mirror.lab:5000/hub/docker.io/library/nginx:1.25');
    expect(rewriteImage('bitnami/redis:6', 'mirror.lab')).toBe('mirror.lab/docker.io/bitnami/redis:6');
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
    expect(spec.template.spec.initContainers[0]?.image).toBe('m.lab/docker.io/library/busybox');
    expect(spec.template.spec.containers[0]?.image).toBe('m.lab/docker.io/library/nginx:1');
    expect(deployment.metadata.namespace).toBeUndefined();
  });

  it('drops the namespace of cluster-scoped objects', () => {
    const role: KubeObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r', namespace: 'x' } };
    expect(
      prepareObject(role, { namespace: 'lab', instance: 'a', registryMirror: '', isNamespaced: () => false }).metadata.namespace,
    ).toBeUndefined();
  });
});
