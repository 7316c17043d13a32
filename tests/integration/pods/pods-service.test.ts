/**
 * The pods service against the real 1.20 API server, which proxies logs and port-forward to the
 * harness's simulated kubelets (generated logs with ANSI colour, a small web server per pod).
 * Every call goes through the in-memory transport, as JSON, like the renderer's.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { LogBatch, LogLine, LogStreamEnd, PodListChange } from '../../../src/shared/contract';
import { Dispatcher } from '../../../src/shared/rpc/dispatcher';
import { connectInMemory } from '../../../src/shared/rpc/in-memory';
import { createTestServices } from '../../doubles/test-services';
import { PodsService } from '../../../src/main/pods/pods-service';
import {
  getFreePort,
  kubeconfigProvider,
  labNodeSpecs,
  runKubectl,
  startConnectProxy,
  startControlPlane,
  startSimulatedNodes,
  waitFor,
  type ControlPlane,
  type SimulatedNodes,
} from '../../harness/index.js';
import { canConnect } from '../../harness/ssh/tcp-fixtures';

const CONTEXT = 'lab-admin';
const NAMESPACE = 'vote';

let controlPlane: ControlPlane;
let simulation: SimulatedNodes;
let service: PodsService;
let link: ReturnType<typeof connectInMemory>;

const manifest = `
apiVersion: v1
kind: Namespace
metadata: { name: ${NAMESPACE} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: azure-vote-front, namespace: ${NAMESPACE} }
spec:
  replicas: 3
  selector: { matchLabels: { app: azure-vote-front } }
  template:
    metadata: { labels: { app: azure-vote-front } }
    spec:
      nodeSelector: { kubernetes.io/os: linux }
      containers:
        - name: azure-vote-front
          image: example.invalid/azure-vote-front:v1
          ports: [{ containerPort: 80, name: http }]
---
apiVersion: v1
kind: Service
metadata: { name: azure-vote-front, namespace: ${NAMESPACE} }
spec:
  selector: { app: azure-vote-front }
  ports: [{ port: 8080, targetPort: http }]
`;

/** Collects what the service broadcasts for one stream (events can beat startLogs' answer, so all are kept and filtered on reading). */
function collect(streamIdOf: () => string | undefined) {
  const allBatches: LogBatch[] = [];
  const allEnds: LogStreamEnd[] = [];
  link.api.pods.onDidLogs((batch) => {
    allBatches.push(batch);
    void link.api.pods.acknowledgeLogs(batch.streamId, batch.lines.length);
  });
  link.api.pods.onDidEndLogs((end) => allEnds.push(end));
  const ends = {
    get length() {
      return allEnds.filter((end) => end.streamId === streamIdOf()).length;
    },
    at: (index: number) => allEnds.filter((end) => end.streamId === streamIdOf())[index],
  };
  const lines = (): LogLine[] => allBatches.filter((batch) => batch.streamId === streamIdOf()).flatMap((batch) => batch.lines);
  return { ends, lines };
}

/** The n of the harness's `rid=<hash>-<n>` at the end of each generated line. */
const rid = (line: LogLine) => Number(/rid=\w+-(\d+)$/.exec(line.text)?.[1] ?? NaN);

async function runningPods(): Promise<string[]> {
  const result = await runKubectl(controlPlane.adminKubeconfigPath, [
    '-n',
    NAMESPACE,
    'get',
    'pods',
    '-l',
    'app=azure-vote-front',
    '--field-selector=status.phase=Running',
    '-o',
    'jsonpath={.items[*].metadata.name}',
  ]);
  return result.stdout.split(/\s+/).filter(Boolean).sort();
}

beforeAll(async () => {
  controlPlane = await startControlPlane();
  simulation = await startSimulatedNodes(controlPlane.simulation, { nodes: labNodeSpecs() });
  const file = join(controlPlane.dir, 'vote.yaml');
  await writeFile(file, manifest);
  const applied = await runKubectl(controlPlane.adminKubeconfigPath, ['apply', '-f', file]);
  expect(applied.exitCode, applied.stderr).toBe(0);
  await waitFor(async () => (await runningPods()).length === 3, { timeout: 30_000, description: 'three Running front-end pods' });
});

afterAll(async () => {
  await simulation?.stop();
  await controlPlane?.stop();
});

function connectService(kubeconfig = controlPlane.adminKubeconfig): void {
  service = new PodsService({ provider: kubeconfigProvider(kubeconfig, CONTEXT), logs: { batchDelayMs: 20 } });
  link = connectInMemory(new Dispatcher({ ...createTestServices(), pods: service }));
}

afterEach(async () => {
  link?.close();
  await service?.dispose();
});

describe('pods service', () => {
  it('lists the pods of a namespace and of a Deployment, with their owner, ports and readiness', async () => {
    connectService();
    const pods = await link.api.pods.listPods({ context: CONTEXT, namespace: NAMESPACE, deployment: 'azure-vote-front' });
    expect(pods.map((pod) => pod.name).sort()).toEqual(await runningPods());
    for (const pod of pods) {
      expect(pod).toMatchObject({
        namespace: NAMESPACE,
        phase: 'Running',
        readyContainers: 1,
        totalContainers: 1,
        containers: ['azure-vote-front'],
        owner: { kind: 'Deployment', name: 'azure-vote-front' },
        ports: [80],
        os: 'linux',
      });
      expect(pod.node).toMatch(/^sim-linux-/);
    }
    expect((await link.api.pods.listPods({ context: CONTEXT })).some((pod) => pod.namespace === NAMESPACE)).toBe(true);
    await expect(link.api.pods.listPods({ context: CONTEXT, namespace: NAMESPACE, deployment: 'nope' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `Deployment ${NAMESPACE}/nope does not exist in context ${CONTEXT}.`,
    });
  });

  it('follows a namespace: the rows with their labels, then a pod created, running and deleted as changes, until unfollowed', async () => {
    connectService();
    const changes: PodListChange[] = [];
    link.api.pods.onDidChangePods((change) => changes.push(change));
    const follow = await link.api.pods.followPods({ context: CONTEXT, namespace: NAMESPACE });
    expect(follow.pods.map((pod) => pod.name)).toEqual(expect.arrayContaining(await runningPods()));
    expect(follow.pods[0]!.labels).toMatchObject({ app: 'azure-vote-front' });
    const ours = () => changes.filter((change) => change.followId === follow.followId);

    const file = join(controlPlane.dir, 'follow-probe.yaml');
    await writeFile(
      file,
      stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'follow-probe', namespace: NAMESPACE, labels: { app: 'probe' } },
        spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'probe', image: 'example.invalid/probe:1' }] },
      }),
    );
    expect((await runKubectl(controlPlane.adminKubeconfigPath, ['apply', '-f', file])).exitCode).toBe(0);
    await waitFor(() => ours().some((change) => change.upserted.some((pod) => pod.name === 'follow-probe' && pod.phase === 'Running')), {
      timeout: 30_000,
      description: 'the new pod Running in a change',
    });
    const deleted = await runKubectl(controlPlane.adminKubeconfigPath, [
      '-n',
      NAMESPACE,
      'delete',
      'pod',
      'follow-probe',
      '--grace-period=0',
      '--force',
    ]);
    expect(deleted.exitCode, deleted.stderr).toBe(0);
    await waitFor(() => ours().some((change) => change.removed.includes(`${NAMESPACE}/follow-probe`)), {
      timeout: 30_000,
      description: 'the deleted pod removed in a change',
    });
    expect(ours().every((change) => change.error === undefined && change.pods === undefined)).toBe(true);

    // Unfollowed: a second follow sees the pod come and go again; the first sees nothing more.
    await link.api.pods.unfollowPods(follow.followId);
    const seen = ours().length;
    const second = await link.api.pods.followPods({ context: CONTEXT, namespace: NAMESPACE });
    const theirs = () => changes.filter((change) => change.followId === second.followId);
    expect((await runKubectl(controlPlane.adminKubeconfigPath, ['apply', '-f', file])).exitCode).toBe(0);
    await waitFor(() => theirs().some((change) => change.upserted.some((pod) => pod.name === 'follow-probe' && pod.phase === 'Running')), {
      timeout: 30_000,
      description: 'the pod Running again, in the second follow',
    });
    await runKubectl(controlPlane.adminKubeconfigPath, ['-n', NAMESPACE, 'delete', 'pod', 'follow-probe', '--grace-period=0', '--force']);
    await waitFor(() => theirs().some((change) => change.removed.includes(`${NAMESPACE}/follow-probe`)), {
      timeout: 30_000,
      description: 'the pod removed again, in the second follow',
    });
    expect(ours()).toHaveLength(seen);
    await link.api.pods.unfollowPods(second.followId);
  });

  it('merges the logs of a Deployment with 3 pods, in time order, with colours per pod and ANSI codes kept', async () => {
    connectService();
    const current: { id?: string } = {};
    const { lines } = collect(() => current.id);
    const info = await link.api.pods.startLogs(
      { context: CONTEXT, namespace: NAMESPACE, kind: 'deployment', name: 'azure-vote-front' },
      { follow: true, tailLines: 20 },
    );
    current.id = info.streamId;
    expect(info.state).toBe('streaming');
    expect(info.sources.map((source) => source.pod).sort()).toEqual(await runningPods());
    expect(info.sources.map((source) => source.colour).sort()).toEqual([0, 1, 2]);

    await waitFor(() => new Set(lines().map((line) => line.pod)).size === 3 && lines().length >= 60, {
      timeout: 20_000,
      description: 'the tail of all three pods',
    });
    for (const pod of info.sources.map((source) => source.pod)) {
      const own = lines().filter((line) => line.pod === pod);
      // Each pod's lines in its own order, without gaps.
      const ids = own.map(rid);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(ids.at(-1)! - ids[0]!).toBe(ids.length - 1);
      for (const line of own) expect(line.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    }
    // The kubelet's colours stay in the text (the view parses them).
    // eslint-disable-next-line no-control-regex -- the ESC of the colour codes is what is checked
    expect(lines().some((line) => /\x1b\[3[123]m(INFO|WARN|ERROR)\x1b\[0m/.test(line.text))).toBe(true);
    // Following: a new line arrives from the kubelet (1 line per second per container).
    const before = lines().length;
    await waitFor(() => lines().length > before, { timeout: 10_000, description: 'a followed line' });
    await link.api.pods.stopLogs(current.id);
    await waitFor(() => simulation.kubelets!.logFollowers({ namespace: NAMESPACE }) === 0, {
      timeout: 10_000,
      description: 'the kubelet streams closed after stop',
    });
  });

  it('reads a tail without follow and ends, and reads the previous container after a restart', async () => {
    connectService();
    const [pod] = await runningPods();
    const current: { id?: string } = {};
    const { lines, ends } = collect(() => current.id);
    current.id = (
      await link.api.pods.startLogs({ context: CONTEXT, namespace: NAMESPACE, kind: 'pod', name: pod! }, { follow: false, tailLines: 10 })
    ).streamId;
    await waitFor(() => ends.length === 1, { timeout: 10_000, description: 'the end of the tail' });
    expect(ends.at(0)!.error).toBeUndefined();
    expect(lines()).toHaveLength(10);

    await simulation.restartContainer({ namespace: NAMESPACE, pod: pod!, container: 'azure-vote-front' });
    const previous = collect(() => current.id);
    current.id = (
      await link.api.pods.startLogs(
        { context: CONTEXT, namespace: NAMESPACE, kind: 'pod', name: pod! },
        { follow: false, previous: true, tailLines: 5 },
      )
    ).streamId;
    await waitFor(() => previous.ends.length === 1, { timeout: 10_000, description: 'the previous container log' });
    expect(previous.ends.at(0)!.error).toBeUndefined();
    expect(previous.lines()).toHaveLength(5);
  });

  it('says clearly when the pod does not exist or the container is not there', async () => {
    connectService();
    await expect(
      link.api.pods.startLogs({ context: CONTEXT, namespace: NAMESPACE, kind: 'pod', name: 'no-such-pod' }, { follow: true }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', message: `Pod ${NAMESPACE}/no-such-pod does not exist in context ${CONTEXT}.` });
    const [pod] = await runningPods();
    const current: { id?: string } = {};
    const { lines, ends } = collect(() => current.id);
    current.id = (
      await link.api.pods.startLogs(
        { context: CONTEXT, namespace: NAMESPACE, kind: 'pod', name: pod!, container: 'sidecar' },
        { follow: true },
      )
    ).streamId;
    await waitFor(() => ends.length === 1, { timeout: 10_000, description: 'the end of a stream of a missing container' });
    expect(lines()).toEqual([
      expect.objectContaining({ notice: true, text: expect.stringContaining('no container "sidecar"') as unknown }),
    ]);
    expect(ends.at(0)!.error).toMatchObject({
      code: 'NOT_FOUND',
      message: `Pod ${pod!} has no container "sidecar"; its containers are azure-vote-front.`,
    });
  });

  it('ends a followed stream with a clear message when the API server restarts, and Retry continues after the last line', async () => {
    connectService();
    const [pod] = await runningPods();
    const current: { id?: string } = {};
    const { lines, ends } = collect(() => current.id);
    current.id = (
      await link.api.pods.startLogs({ context: CONTEXT, namespace: NAMESPACE, kind: 'pod', name: pod! }, { follow: true, tailLines: 3 })
    ).streamId;
    await waitFor(() => lines().length >= 4, { timeout: 10_000, description: 'the tail and a followed line' });

    await controlPlane.stopApiServer();
    await waitFor(() => ends.length === 1, { timeout: 20_000, description: 'the end of the stream' });
    expect(ends.at(0)!.error).toMatchObject({ code: 'UNREACHABLE' });
    expect(ends.at(0)!.error!.message).toMatch(
      /^Lost the connection to the API server while following the logs of pod vote\/azure-vote-front-/,
    );
    expect(ends.at(0)!.error!.message).toMatch(/Retry reconnects and continues after the last line\.$/);
    const seenBefore = lines().length;

    await controlPlane.startApiServer();
    const retried = await link.api.pods.retryLogs(current.id);
    expect(retried).toMatchObject({ streamId: current.id, state: 'streaming' });
    await waitFor(() => lines().length >= seenBefore + 2, { timeout: 20_000, description: 'lines after the retry' });
    // No line twice and none lost across the reconnect: request ids run on by one.
    const ids = lines().map(rid);
    for (let i = 1; i < ids.length; i += 1) expect(ids[i]).toBe(ids[i - 1]! + 1);
  });

  it('lists events about a pod and a Deployment, newest first', async () => {
    connectService();
    const [pod] = await runningPods();
    const podEvents = await link.api.pods.events({ context: CONTEXT, kind: 'Pod', name: pod!, namespace: NAMESPACE });
    expect(podEvents.map((event) => event.reason)).toContain('Scheduled');
    const deploymentEvents = await link.api.pods.events({
      context: CONTEXT,
      kind: 'Deployment',
      name: 'azure-vote-front',
      namespace: NAMESPACE,
    });
    expect(deploymentEvents[0]).toMatchObject({ type: 'Normal', reason: 'ScalingReplicaSet', count: 1 });
    expect(deploymentEvents[0]!.message).toMatch(/Scaled up replica set azure-vote-front-\w+ to 3/);
    const times = [...podEvents, ...deploymentEvents].map((event) => event.lastSeen);
    expect(times.every(Boolean)).toBe(true);
    const sorted = podEvents.map((event) => event.lastSeen!);
    expect(sorted).toEqual([...sorted].sort().reverse());
  });

  it('describes a pod, a Deployment and a Service like kubectl describe', async () => {
    connectService();
    const [pod] = await runningPods();
    const podDescription = await link.api.pods.describe({ context: CONTEXT, kind: 'Pod', name: pod!, namespace: NAMESPACE });
    expect(podDescription).toMatchObject({ kind: 'Pod', name: pod, namespace: NAMESPACE, status: 'Running' });
    const fields = Object.fromEntries(podDescription.fields.map((field) => [field.label, field.value]));
    expect(fields.Node).toMatch(/^sim-linux-/);
    expect(fields['Controlled by']).toBe('Deployment/azure-vote-front');
    expect(fields['Pod IPs'] ?? fields['Pod IP']).toMatch(/\d+\.\d+\.\d+\.\d+/);
    expect(podDescription.conditions.find((condition) => condition.type === 'Ready')).toMatchObject({ status: 'True' });
    expect(podDescription.containers).toEqual([
      expect.objectContaining({ name: 'azure-vote-front', state: 'Running', ready: true, ports: ['80/TCP (http)'] }),
    ]);

    const deployment = await link.api.pods.describe({
      context: CONTEXT,
      kind: 'Deployment',
      name: 'azure-vote-front',
      namespace: NAMESPACE,
    });
    expect(deployment.status).toMatch(/^3\/3 ready/);
    expect(deployment.fields).toContainEqual({ label: 'Selector', value: 'app=azure-vote-front' });

    const svc = await link.api.pods.describe({ context: CONTEXT, kind: 'Service', name: 'azure-vote-front', namespace: NAMESPACE });
    expect(svc.status).toMatch(/^ClusterIP 10\.96\./);
    expect(svc.ports).toEqual([{ port: 8080, protocol: 'TCP', targetPort: 'http' }]);

    await expect(link.api.pods.describe({ context: CONTEXT, kind: 'ConfigMap', name: 'x', namespace: NAMESPACE })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('forwards a Service port on 127.0.0.1 only, loads the page through it, and closes the port on stop and on dispose', async () => {
    connectService();
    const changes: number[] = [];
    link.api.pods.onDidChangeForwards((forwards) => changes.push(forwards.length));
    const forward = await link.api.pods.startForward({
      context: CONTEXT,
      namespace: NAMESPACE,
      kind: 'service',
      name: 'azure-vote-front',
      remotePort: 8080,
    });
    if (forward.via !== 'api-server') throw new Error(`a forward without 'via' goes through the API server, not ${forward.via}`);
    expect(forward.localAddress).toBe('127.0.0.1');
    expect(forward.url).toBe(`http://127.0.0.1:${forward.localPort}/`);
    expect(forward.podPort).toBe(80);
    expect(await runningPods()).toContain(forward.pod);
    const page = await (await fetch(forward.url)).text();
    expect(page).toContain('Azure Voting App');
    expect(simulation.kubelets!.portForwards({ namespace: NAMESPACE, pod: forward.pod }).at(-1)).toMatchObject({
      protocol: 'websocket',
      port: 80,
    });
    // Nothing listens on the machine's other addresses.
    await expect(canConnect('::1', forward.localPort)).resolves.toBe(false);
    expect(await link.api.pods.listForwards()).toEqual([expect.objectContaining({ id: forward.id })]);

    await link.api.pods.stopForward(forward.id);
    await expect(canConnect('127.0.0.1', forward.localPort)).resolves.toBe(false);
    expect(await link.api.pods.listForwards()).toEqual([]);

    // A chosen port; the same port again is refused clearly; dispose closes what is left.
    const port = await getFreePort();
    const pod = await link.api.pods.startForward({
      context: CONTEXT,
      namespace: NAMESPACE,
      kind: 'pod',
      name: forward.pod,
      remotePort: 80,
      localPort: port,
    });
    expect(pod.localPort).toBe(port);
    await expect(
      link.api.pods.startForward({
        context: CONTEXT,
        namespace: NAMESPACE,
        kind: 'pod',
        name: forward.pod,
        remotePort: 80,
        localPort: port,
      }),
    ).rejects.toMatchObject({ code: 'ALREADY_EXISTS', message: expect.stringContaining(`Port ${port} on 127.0.0.1 is in use`) as unknown });
    expect(await (await fetch(pod.url)).text()).toContain('Azure Voting App');
    await service.dispose();
    await expect(canConnect('127.0.0.1', port)).resolves.toBe(false);
    expect(changes.length).toBeGreaterThanOrEqual(3);
  });

  it("forwards through the cluster's proxy-url (a real CONNECT proxy on loopback, the only way to the API server)", async () => {
    const hiddenPort = await getFreePort();
    const apiPort = controlPlane.apiServerPort;
    const proxy = await startConnectProxy({ route: (host, port) => (port === hiddenPort ? { host, port: apiPort } : { host, port }) });
    try {
      const config = parse(controlPlane.adminKubeconfig) as { clusters: { cluster: Record<string, unknown> }[] };
      config.clusters[0]!.cluster.server = `https://127.0.0.1:${hiddenPort}`;
      config.clusters[0]!.cluster['proxy-url'] = proxy.url;
      connectService(stringify(config));
      const forward = await link.api.pods.startForward({
        context: CONTEXT,
        namespace: NAMESPACE,
        kind: 'service',
        name: 'azure-vote-front',
        remotePort: 8080,
      });
      if (forward.via !== 'api-server') throw new Error(`expected a forward through the API server, not ${forward.via}`);
      const before = proxy.connects.length;
      expect(await (await fetch(forward.url)).text()).toContain('Azure Voting App');
      // The forward's own WebSocket went through the proxy too, not only the lookups before it.
      expect(proxy.connects.slice(before)).toContain(`127.0.0.1:${hiddenPort}`);
      expect(simulation.kubelets!.portForwards({ namespace: NAMESPACE, pod: forward.pod }).at(-1)).toMatchObject({
        protocol: 'websocket',
        port: 80,
      });
    } finally {
      await service.dispose();
      await proxy.stop();
    }
  });

  it('refuses a Service port it does not have, naming the ports it has', async () => {
    connectService();
    await expect(
      link.api.pods.startForward({ context: CONTEXT, namespace: NAMESPACE, kind: 'service', name: 'azure-vote-front', remotePort: 81 }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: `Service ${NAMESPACE}/azure-vote-front has no port 81; its ports are 8080.`,
    });
  });
});
