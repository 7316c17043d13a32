/**
 * Custom YAML whose pods would land on the wrong OS, against a real API server with simulated
 * Linux and Windows nodes (SIMULATION: the node agent registers them; the Windows worker is tainted
 * os=windows:NoSchedule as labs make it): the dry run and the apply warn per object, and still send it.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsService } from '../../../src/main/apps/apps-service';
import type { YamlApplyResult } from '../../../src/shared/contract/apps';
import { kubeconfigProvider, startControlPlane, startSimulatedNodes } from '../../harness/index.js';
import type { ControlPlane, SimulatedNodes } from '../../harness/index.js';

let controlPlane: ControlPlane;
let nodes: SimulatedNodes;
let extra: SimulatedNodes | undefined;
let service: AppsService;

beforeAll(async () => {
  controlPlane = await startControlPlane();
  nodes = await startSimulatedNodes(controlPlane.simulation, {
    nodes: [
      { name: 'linux-1', os: 'linux' },
      { name: 'win-1', os: 'windows', taints: [{ key: 'os', value: 'windows', effect: 'NoSchedule' }] },
    ],
  });
  service = new AppsService({
    catalogDir: join(import.meta.dirname, '../../../resources/catalog'),
    registryMirror: () => Promise.resolve(''),
    provider: kubeconfigProvider(controlPlane.adminKubeconfig, 'lab'),
  });
}, 120_000);

afterAll(async () => {
  service?.dispose();
  await extra?.stop();
  await nodes?.stop();
  await controlPlane?.stop();
});

const deployment = (name: string, image: string, spec = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:${spec}
      containers:
      - name: c
        image: ${image}
`;

const YAML = [
  deployment('web', 'nginx:1.25'),
  deployment('iis-anywhere', 'mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022'),
  deployment(
    'iis-untolerated',
    'mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022',
    `\n      nodeSelector: {kubernetes.io/os: windows}`,
  ),
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {a: b}\n`,
].join('---\n');

function warnings(result: YamlApplyResult): Record<string, string[]> {
  if (result.status !== 'done') throw new Error(JSON.stringify(result));
  return Object.fromEntries(result.results.map((row) => [row.object.name, row.warnings ?? []]));
}

describe('custom YAML: pods on the wrong OS (SIMULATION: simulated nodes on a real API server)', () => {
  it('warns in the dry run and the apply, per object, and still applies', { timeout: 120_000 }, async () => {
    const dry = await service.dryRunYaml({ context: 'lab', namespace: 'default', yaml: YAML });
    const found = warnings(dry);
    // The Windows worker is tainted: a Linux Deployment without an OS selector cannot land there.
    expect(found.web).toEqual([]);
    expect(found.settings).toEqual([]);
    expect(found['iis-anywhere']).toEqual([
      expect.stringContaining('is a Windows image, but the pod template does not select nodeSelector kubernetes.io/os: windows'),
    ]);
    expect(found['iis-untolerated']).toEqual([
      expect.stringContaining(
        'selects Windows nodes, but every Windows node has a taint its pods do not tolerate (os=windows:NoSchedule): they stay Pending.',
      ),
    ]);

    // An untainted Windows node: now the Linux Deployment could be scheduled there.
    extra = await startSimulatedNodes(controlPlane.simulation, { nodes: [{ name: 'win-2', os: 'windows' }], firstNodeIndex: 10 });
    const applied = await service.applyYaml({ context: 'lab', namespace: 'default', yaml: YAML });
    if (applied.status !== 'done') throw new Error(JSON.stringify(applied));
    expect(applied.results.map((row) => row.outcome)).toEqual(['created', 'created', 'created', 'created']);
    expect(warnings(applied).web).toEqual([
      'Deployment web selects no kubernetes.io/os, and this cluster has Windows nodes its pods can be scheduled on (win-2), where Linux images do not run. Add nodeSelector kubernetes.io/os: linux.',
    ]);
    // win-2 takes the Windows Deployment without a toleration: no Pending warning any more.
    expect(warnings(applied)['iis-untolerated']).toEqual([]);
  });
});
