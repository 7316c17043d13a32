import { describe, expect, it } from 'vitest';
import type { KubeClient } from './kube-client';
import { isWindowsImage, osPlacementChecker } from './os-placement';
import type { KubeObject } from './yaml-documents';

interface FakeNode {
  name: string;
  os: 'linux' | 'windows';
  taints?: { key: string; value?: string; effect: string }[];
}

/** Answers GET /api/v1/nodes?labelSelector=kubernetes.io/os=X the way the API server does. */
function clientWith(nodes: FakeNode[], calls: string[] = []): KubeClient {
  return {
    request: (method: string, path: string, options?: { query?: Record<string, string> }) => {
      calls.push(`${method} ${path} ${options?.query?.labelSelector ?? ''}`);
      const os = options?.query?.labelSelector?.split('=')[1];
      const items = nodes
        .filter((node) => node.os === os)
        .map((node) => ({
          metadata: { name: node.name, labels: { 'kubernetes.io/os': node.os } },
          spec: { taints: node.taints },
          status: { conditions: [{ type: 'Ready', status: 'True' }] },
        }));
      return Promise.resolve({ items });
    },
  } as unknown as KubeClient;
}

const WINDOWS_TAINT = { key: 'os', value: 'windows', effect: 'NoSchedule' };

function deployment(name: string, image: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { template: { spec: { containers: [{ name: 'c', image }], ...extra } } },
  };
}

describe('custom YAML that would land on the wrong OS', () => {
  it('knows Windows images', () => {
    for (const image of [
      'mcr.microsoft.com/windows/servercore:ltsc2022',
      'mcr.microsoft.com/windows/nanoserver:ltsc2022',
      'mcr.microsoft.com/dotnet/framework/samples:aspnetapp',
      'mcr.microsoft.com/windows:1809',
      'mcr.microsoft.com/windows/servercore/iis',
      'example.com/app:1.0-windowsservercore-ltsc2019',
    ]) {
      expect(isWindowsImage(image), image).toBe(true);
    }
    for (const image of ['nginx:1.25', 'mcr.microsoft.com/azuredocs/azure-vote-front:v1', 'redis:6', 'windowsfan/app:1']) {
      expect(isWindowsImage(image), image).toBe(false);
    }
  });

  it('warns about a Windows image without nodeSelector kubernetes.io/os: windows, whatever the nodes', async () => {
    const check = osPlacementChecker(clientWith([{ name: 'l1', os: 'linux' }]));
    expect(await check(deployment('web', 'mcr.microsoft.com/windows/servercore:ltsc2022'))).toEqual([
      'Deployment web: mcr.microsoft.com/windows/servercore:ltsc2022 is a Windows image, but the pod template does not select nodeSelector kubernetes.io/os: windows, so it can be scheduled on a Linux node, where it cannot run. Add nodeSelector kubernetes.io/os: windows (and tolerations: [{key: os, operator: Equal, value: windows, effect: NoSchedule}] for tainted Windows workers).',
    ]);
  });

  it('warns about a template without an OS selector only where Windows nodes would take its pods', async () => {
    const untainted = osPlacementChecker(
      clientWith([
        { name: 'l1', os: 'linux' },
        { name: 'w1', os: 'windows' },
      ]),
    );
    expect(await untainted(deployment('web', 'nginx:1.25'))).toEqual([
      'Deployment web selects no kubernetes.io/os, and this cluster has Windows nodes its pods can be scheduled on (w1), where Linux images do not run. Add nodeSelector kubernetes.io/os: linux.',
    ]);
    // Tainted Windows workers (the lab default) keep it off: nothing to warn about.
    const tainted = osPlacementChecker(clientWith([{ name: 'w1', os: 'windows', taints: [WINDOWS_TAINT] }]));
    expect(await tainted(deployment('web', 'nginx:1.25'))).toEqual([]);
    // ...unless it tolerates everything.
    const everything = { tolerations: [{ operator: 'Exists' }] };
    expect(await tainted(deployment('web', 'nginx:1.25', everything))).toHaveLength(1);
    // Linux-only clusters and templates that select Linux: nothing.
    expect(await osPlacementChecker(clientWith([{ name: 'l1', os: 'linux' }]))(deployment('web', 'nginx:1.25'))).toEqual([]);
    expect(await untainted(deployment('web', 'nginx:1.25', { nodeSelector: { 'kubernetes.io/os': 'linux' } }))).toEqual([]);
  });

  it('warns about a Windows template that tolerates no taint of the Windows nodes (it would stay Pending)', async () => {
    const check = osPlacementChecker(clientWith([{ name: 'w1', os: 'windows', taints: [WINDOWS_TAINT] }]));
    const windowsOnly = { nodeSelector: { 'kubernetes.io/os': 'windows' } };
    expect(await check(deployment('iis', 'mcr.microsoft.com/windows/servercore/iis', windowsOnly))).toEqual([
      'Deployment iis selects Windows nodes, but every Windows node has a taint its pods do not tolerate (os=windows:NoSchedule): they stay Pending. Add tolerations: [{key: os, operator: Equal, value: windows, effect: NoSchedule}], or the toleration for the taint shown.',
    ]);
    const tolerating = { ...windowsOnly, tolerations: [{ key: 'os', operator: 'Equal', value: 'windows', effect: 'NoSchedule' }] };
    expect(await check(deployment('iis', 'mcr.microsoft.com/windows/servercore/iis', tolerating))).toEqual([]);
  });

  it('reads the nodes once per OS and set of tolerations, and says nothing about objects without pods', async () => {
    const calls: string[] = [];
    const check = osPlacementChecker(clientWith([{ name: 'w1', os: 'windows' }], calls));
    await check(deployment('a', 'nginx'));
    await check(deployment('b', 'redis'));
    expect(await check({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } })).toEqual([]);
    expect(calls).toEqual(['GET /api/v1/nodes kubernetes.io/os=windows']);
  });
});
