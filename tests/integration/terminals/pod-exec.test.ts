/**
 * Pod exec against the real API server, which proxies it to the node's simulated kubelet: the
 * shell in the tab is a REAL process on the test machine (in a folder standing in for the
 * container), so typing, resize, exit codes and closing are checked end to end.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ExecSocketFactory } from '../../../src/main/terminals/pod-exec';
import {
  labNodeSpecs,
  processExists,
  runKubectl,
  startControlPlane,
  startSimulatedNodes,
  waitFor,
  type ControlPlane,
  type SimulatedNodes,
} from '../../harness/index.js';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createClustersService, kubeconfig, tempDir } from '../clusters/cluster-fixtures';
import { connectTerminals, harnessKubeconfigs } from './harness-services';

let controlPlane: ControlPlane;
let simulation: SimulatedNodes;
let link: ReturnType<typeof connectTerminals>;

const podYaml = (name: string, nodeName: string, os: string) => `
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: default }
spec:
  nodeName: ${nodeName}
  nodeSelector: { kubernetes.io/os: ${os} }
  containers:
    - { name: app, image: example.invalid/app:1 }
    - { name: sidecar, image: example.invalid/sidecar:1 }
`;

beforeAll(async () => {
  controlPlane = await startControlPlane();
  simulation = await startSimulatedNodes(controlPlane.simulation, { nodes: labNodeSpecs() });
  const { writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const manifest = join(controlPlane.dir, 'pods.yaml');
  await writeFile(manifest, `${podYaml('web-0', 'sim-linux-1', 'linux')}\n---\n${podYaml('iis-0', 'sim-windows-1', 'windows')}`);
  const applied = await runKubectl(controlPlane.adminKubeconfigPath, ['apply', '-f', manifest]);
  expect(applied.exitCode, applied.stderr).toBe(0);
  await waitFor(
    async () =>
      (await runKubectl(controlPlane.adminKubeconfigPath, ['get', 'pod', 'web-0', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running',
    {
      timeout: 30_000,
      description: 'pod web-0 Running',
    },
  );
});
afterAll(async () => {
  await simulation?.stop();
  await controlPlane?.stop();
});
afterEach(async () => {
  await link?.dispose();
});

/** Records every exec request while still sending it to the real API server. */
function recordingFactory() {
  const requests: { uri: URL; protocols: string[]; authorization: unknown }[] = [];
  const factory: ExecSocketFactory = (uri, protocols, options) => {
    requests.push({ uri: new URL(uri), protocols, authorization: options.headers?.Authorization });
    return new WebSocket(uri, protocols, options);
  };
  return { requests, factory };
}

describe('pod exec terminals', () => {
  it('lists containers and the OS for the picker', async () => {
    link = connectTerminals({ kubeconfigs: harnessKubeconfigs(controlPlane) });
    expect(await link.api.terminals.podContainers('lab-admin', 'default', 'web-0')).toEqual({
      containers: ['app', 'sidecar'],
      os: 'linux',
    });
    expect(await link.api.terminals.podContainers('lab-admin', 'default', 'iis-0')).toEqual({
      containers: ['app', 'sidecar'],
      os: 'windows',
    });
    await expect(link.api.terminals.podContainers('lab-admin', 'default', 'missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('runs a shell in the chosen container through the API server: typed commands come back (simulated kubelet)', async () => {
    const { requests, factory } = recordingFactory();
    link = connectTerminals({ kubeconfigs: harnessKubeconfigs(controlPlane), execSocketFactory: factory });
    const { client } = link;
    const tab = await client.open(
      { kind: 'pod', context: 'lab-admin', namespace: 'default', pod: 'web-0', container: 'sidecar' },
      { cols: 90, rows: 30 },
    );
    expect(tab.title).toBe('pod: web-0/sidecar');
    expect(await client.run(tab.id, 'echo hi')).toBe('hi\n');
    expect(await client.run(tab.id, 'pwd')).toBe(
      `${simulation.kubelets!.containerDir({ namespace: 'default', pod: 'web-0', container: 'sidecar' })}\n`,
    );

    expect(requests).toHaveLength(1);
    const { uri, protocols, authorization } = requests[0]!;
    expect(`${uri.protocol}//${uri.host}`).toBe(controlPlane.admin.server.replace('https:', 'wss:'));
    expect(uri.pathname).toBe('/api/v1/namespaces/default/pods/web-0/exec');
    expect(uri.searchParams.getAll('command')).toEqual([
      '/bin/sh',
      '-c',
      'if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi',
    ]);
    expect(Object.fromEntries([...uri.searchParams].filter(([key]) => key !== 'command'))).toEqual({
      container: 'sidecar',
      stdin: 'true',
      stdout: 'true',
      stderr: 'false',
      tty: 'true',
    });
    expect(protocols).toContain('v4.channel.k8s.io');
    expect(authorization).toBe(`Bearer ${controlPlane.adminToken}`);
    const record = simulation.kubelets!.execSessions({ pod: 'web-0', container: 'sidecar' }).at(-1)!;
    expect(record).toMatchObject({ tty: true, running: true, protocol: 'v5.channel.k8s.io' });
  });

  it('sends resizes to the remote pty and reports the exit code (simulated kubelet)', async () => {
    link = connectTerminals({ kubeconfigs: harnessKubeconfigs(controlPlane) });
    const { client, api } = link;
    const tab = await client.open(
      { kind: 'pod', context: 'lab-admin', namespace: 'default', pod: 'web-0', container: 'app' },
      { cols: 90, rows: 30 },
    );
    expect(await client.run(tab.id, 'stty size')).toBe('30 90\n');
    await api.terminals.resize(tab.id, { cols: 132, rows: 41 });
    await waitFor(() =>
      simulation
        .kubelets!.execSessions({ pod: 'web-0', container: 'app' })
        .some((r) => r.resizes.some((s) => s.cols === 132 && s.rows === 41)),
    );
    expect(await client.run(tab.id, 'stty size')).toBe('41 132\n');
    await api.terminals.write(tab.id, 'exit 5\r');
    expect(await client.waitForExit(tab.id)).toEqual({ exitCode: 5 });
  });

  it('ends the remote process when the tab closes (no leftover process; simulated kubelet)', async () => {
    link = connectTerminals({ kubeconfigs: harnessKubeconfigs(controlPlane) });
    const { client, api } = link;
    const tab = await client.open({ kind: 'pod', context: 'lab-admin', namespace: 'default', pod: 'web-0', container: 'app' });
    const pid = Number(await client.run(tab.id, 'echo $$'));
    expect(processExists(pid)).toBe(true);
    await api.terminals.close(tab.id);
    await waitFor(() => !processExists(pid), { timeout: 10_000, description: `the pod's shell (pid ${pid}) to end` });
  });

  it('picks the first container and PowerShell on Windows pods when none is chosen (a real bash stands in for it)', async () => {
    const { requests, factory } = recordingFactory();
    link = connectTerminals({ kubeconfigs: harnessKubeconfigs(controlPlane), execSocketFactory: factory });
    const { client } = link;
    const tab = await client.open({ kind: 'pod', context: 'lab-admin', namespace: 'default', pod: 'iis-0' });
    expect(tab).toMatchObject({ title: 'pod: iis-0/app', target: { container: 'app' }, command: ['powershell.exe'] });
    expect(await client.run(tab.id, 'echo ready')).toBe('ready\n');
    expect(requests[0]!.uri.searchParams.getAll('command')).toEqual(['powershell.exe']);
    expect(simulation.kubelets!.execSessions({ pod: 'iis-0' }).at(-1)!.command).toEqual(['powershell.exe']);
  });

  it('says clearly that a pod or container does not exist, and that the viewer may not exec', async () => {
    link = connectTerminals({ kubeconfigs: harnessKubeconfigs(controlPlane) });
    const { client } = link;
    const missing = await client.open({ kind: 'pod', context: 'lab-admin', namespace: 'default', pod: 'nope', container: 'app' });
    expect((await client.waitForExit(missing.id)).error).toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringMatching(/nope/) as unknown,
    });
    const noContainer = await client.open({ kind: 'pod', context: 'lab-admin', namespace: 'default', pod: 'web-0', container: 'ghost' });
    const refused = await client.waitForExit(noContainer.id);
    expect(refused.exitCode).toBeNull();
    expect(refused.error?.message).toMatch(
      /^Could not exec into default\/web-0 \(container ghost\): container ghost is not valid for pod web-0/,
    );
    expect(client.text(noContainer.id)).toContain('Could not exec into default/web-0');
    const viewer = await client.open({ kind: 'pod', context: 'lab-viewer', namespace: 'default', pod: 'web-0', container: 'app' });
    expect((await client.waitForExit(viewer.id)).error).toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('pod exec with a credential plugin', () => {
  it('uses the credentials the clusters service resolved (its time limit), never running the plugin through client-node', async () => {
    const work = await tempDir('pod-exec-plugin');
    const runs = join(work, 'plugin-runs');
    const credential = JSON.stringify({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      kind: 'ExecCredential',
      status: { token: controlPlane.adminToken },
    });
    const exec = {
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      command: '/bin/sh',
      args: ['-c', `echo ran >> '${runs}'; printf '%s' '${credential}'`],
    };
    const config = kubeconfig({
      server: controlPlane.server,
      caPem: controlPlane.caCertPem,
      names: { cluster: 'sso', user: 'sso', context: 'sso' },
      user: { exec },
    });
    const { service: clusters, dataDir } = await createClustersService();
    try {
      await clusters.importKubeconfig({ kind: 'text', text: stringify(config), label: 'sso.yaml' }, []);
      const plugin = (await clusters.list()).contexts[0]!.auth.plugin!;
      await clusters.approvePlugin('sso', plugin.approvalKey);
      expect(await clusters.testConnection('sso')).toMatchObject({ ok: true });
      const runCount = async () => (await readFile(runs, 'utf8')).split('\n').filter(Boolean).length;
      expect(await runCount()).toBe(1);

      link = connectTerminals({ kubeconfigs: clusters });
      expect(await link.api.terminals.podContainers('sso', 'default', 'web-0')).toMatchObject({ os: 'linux' });
      const tab = await link.client.open({ kind: 'pod', context: 'sso', namespace: 'default', pod: 'web-0', container: 'app' });
      expect(await link.client.run(tab.id, 'echo hi')).toBe('hi\n');
      // The token the clusters service got (and keeps until it expires) was used: the plugin ran once.
      expect(await runCount()).toBe(1);
    } finally {
      clusters.dispose();
      await rm(work, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
