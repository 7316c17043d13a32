import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog, validateCatalogApp } from './catalog';

const metadata = `title: Web
description: A web app
os: linux
images: [nginx:1]
ports: [80]
deployments:
  - { name: web, defaultReplicas: 1, minReplicas: 0, maxReplicas: 5 }
open: { service: web, port: 80, scheme: http, path: / }
`;
const manifests = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      containers: [{name: web, image: 'nginx:1', ports: [{containerPort: 80, protocol: TCP}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80, protocol: TCP}]}
`;

describe('validateCatalogApp', () => {
  it('accepts a consistent app', () => {
    const result = validateCatalogApp('web', metadata, manifests);
    expect(result.ok && result.loaded.app).toMatchObject({ id: 'web', os: 'linux', objects: ['Deployment/web', 'Service/web'] });
  });

  it('refuses pods not pinned to the app OS, unlisted images, a missing port protocol and a wrong Open target', () => {
    const bad = manifests
      .replace('kubernetes.io/os: linux', 'kubernetes.io/os: windows')
      .replace("image: 'nginx:1', ports: [{containerPort: 80, protocol: TCP}]", "image: 'nginx:2', ports: [{containerPort: 80}]");
    const result = validateCatalogApp('web', metadata.replace('port: 80, scheme', 'port: 8080, scheme'), bad);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain('must select nodeSelector kubernetes.io/os: linux');
    expect(result.message).toContain('image nginx:2 is used but not listed');
    expect(result.message).toContain('needs protocol');
    expect(result.message).toContain('Service web has no port 8080');
  });

  it('refuses a Windows app whose pods do not tolerate the lab Windows workers’ taint os=windows:NoSchedule', () => {
    const windows = manifests.replace('kubernetes.io/os: linux', 'kubernetes.io/os: windows');
    const refused = validateCatalogApp('web', metadata.replace('os: linux', 'os: windows'), windows);
    expect(refused.ok ? 'ok' : refused.message).toBe(
      'Deployment web must tolerate os=windows:NoSchedule, the taint of lab Windows workers',
    );
    const tolerating = windows.replace(
      'nodeSelector: {kubernetes.io/os: windows}',
      'nodeSelector: {kubernetes.io/os: windows}\n      tolerations: [{key: os, operator: Equal, value: windows, effect: NoSchedule}]',
    );
    expect(validateCatalogApp('web', metadata.replace('os: linux', 'os: windows'), tolerating).ok).toBe(true);
  });

  it('refuses bad metadata: replica bounds, unknown fields, an OS other than linux or windows', () => {
    const result = validateCatalogApp(
      'web',
      metadata
        .replace('defaultReplicas: 1, minReplicas: 0, maxReplicas: 5', 'defaultReplicas: 9, minReplicas: 0, maxReplicas: 5')
        .replace('os: linux', 'os: plan9'),
      manifests,
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/os.*minReplicas <= defaultReplicas/s);
  });

  it('names YAML problems of the manifests with line and column', () => {
    const result = validateCatalogApp('web', metadata, 'apiVersion: v1\nkind: [\n');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/manifests\.yaml: line \d+, column \d+/);
  });
});

describe('the shipped catalog', () => {
  it('loads every app without a problem', async () => {
    const { catalog } = await loadCatalog(join(import.meta.dirname, '../../../resources/catalog'));
    expect(catalog.problems).toEqual([]);
    expect(catalog.apps.map((app) => app.id)).toEqual(['aspnet-sample', 'azure-vote', 'nginx']);
    const windows = catalog.apps.find((app) => app.id === 'aspnet-sample');
    expect(windows?.images).toEqual(['mcr.microsoft.com/dotnet/framework/samples:aspnetapp']);
  });

  it('names a missing catalog folder instead of failing', async () => {
    const { catalog } = await loadCatalog('/nonexistent/catalog');
    expect(catalog.apps).toEqual([]);
    expect(catalog.problems[0]?.message).toContain('cannot be read');
  });
});
