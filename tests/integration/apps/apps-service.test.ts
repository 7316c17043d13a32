/**
 * The apps service against a real 1.20 control plane with simulated Linux and Windows nodes:
 * OS placement, the Windows refusal before any write, scaling through the scale subresource,
 * following someone else's kubectl scale, Pending reasons, custom YAML (invalid, dry run,
 * conflict, force), RBAC refusals, and an uninstall that removes exactly what it created.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  kubeconfigProvider,
  KubeRestClient,
  LOAD_BALANCER_PREFIX,
  labNodeSpecs,
  runKubectl,
  startControlPlane,
  startSimulatedNodes,
  waitFor,
} from '../../harness/index.js';
import type { ControlPlane, SimulatedNodes } from '../../harness/index.js';
import type { ListOf, PodView } from '../harness/kube-objects';
import { AppsService } from '../../../src/main/apps/apps-service';
import type { AppInstanceStatus } from '../../../src/shared/contract/apps';

const CATALOG = join(import.meta.dirname, '../../../resources/catalog');
const INSTANCE = 'app.kubernetes.io/managed-by=nestlab,nestlab.dev/app-instance';

let controlPlane: ControlPlane;
let simulation: SimulatedNodes;
let admin: KubeRestClient;
let service: AppsService;
let viewerService: AppsService;
let mirror = '';
const statuses: AppInstanceStatus[] = [];

function serviceAs(kubeconfig: string): AppsService {
  return new AppsService({
    catalogDir: CATALOG,
    registryMirror: () => Promise.resolve(mirror),
    provider: kubeconfigProvider(kubeconfig, 'lab'),
    // Context "lab" is a Nestlab lab's, on the inventory host kvm-lab.
    labHostOf: (context) => Promise.resolve(context === 'lab' ? { id: 'host-1', name: 'kvm-lab' } : undefined),
  });
}

async function podsOf(namespace: string, selector: string): Promise<PodView[]> {
  const list = await admin.request<ListOf<PodView>>(
    'GET',
    `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(selector)}`,
  );
  return list.items.filter((pod) => !pod.metadata.deletionTimestamp);
}

async function runningPods(namespace: string, selector: string): Promise<PodView[]> {
  return (await podsOf(namespace, selector)).filter((pod) => pod.status.phase === 'Running');
}

async function replicasOf(namespace: string, name: string): Promise<number> {
  const deployment = await admin.request<{ spec: { replicas: number } }>(
    'GET',
    `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`,
  );
  return deployment.spec.replicas;
}

async function kubectl(args: string[]): Promise<string> {
  const result = await runKubectl(controlPlane.adminKubeconfigPath, args);
  if (result.exitCode !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

beforeAll(async () => {
  controlPlane = await startControlPlane();
  // No Windows worker at first: the Windows app must be refused.
  simulation = await startSimulatedNodes(controlPlane.simulation, { nodes: labNodeSpecs({ windowsWorkers: 0 }) });
  admin = new KubeRestClient(controlPlane.admin);
  service = serviceAs(controlPlane.adminKubeconfig);
  viewerService = serviceAs(controlPlane.viewerKubeconfig);
  service.onDidChangeStatus((status) => statuses.push(status));
});

afterAll(async () => {
  service?.dispose();
  viewerService?.dispose();
  await simulation?.stop();
  await controlPlane?.stop();
});

describe('apps service against the harness', () => {
  it('loads the catalog with the voting app, the ASP.NET sample and nginx', async () => {
    const catalog = await service.catalog();
    expect(catalog.problems).toEqual([]);
    expect(catalog.apps.map((app) => [app.id, app.os])).toEqual([
      ['aspnet-sample', 'windows'],
      ['azure-vote', 'linux'],
      ['nginx', 'linux'],
    ]);
  });

  it('refuses the ASP.NET app before any write when the cluster has no Windows node', async () => {
    const request = { context: 'lab', namespace: 'win-none', appId: 'aspnet-sample', instance: 'aspnet' };
    const result = await service.install(request);
    expect(result.status).toBe('refused');
    const problem = result.preflight.problems.find((p) => p.blocking);
    expect(problem).toMatchObject({ code: 'NOT_FOUND' });
    expect(problem?.message).toMatch(/no Ready Windows node/);
    expect(problem?.fix).toMatch(/Windows worker/);
    // Nothing was created: not the namespace, not a record, not a Deployment anywhere.
    await expect(admin.request('GET', '/api/v1/namespaces/win-none')).rejects.toMatchObject({ status: 404 });
    const labelled = await kubectl(['get', 'deployments,services,configmaps', '-A', '-l', 'nestlab.dev/app-instance', '-o', 'name']);
    expect(labelled.trim()).toBe('');
  });

  it('deploys the voting app on Linux nodes only, labelled, under the nestlab field manager, with images from the mirror', async () => {
    mirror = 'registry.lab.test:5000';
    const result = await service.install({ context: 'lab', namespace: 'vote', appId: 'azure-vote', instance: 'vote' });
    mirror = '';
    expect(result.status).toBe('installed');
    if (result.status !== 'installed') return;
    expect(result.preflight.createsNamespace).toBe(true);
    // The control-plane node is Ready and Linux, but tainted NoSchedule: not a node the app can use.
    expect(result.preflight.readyNodes).toEqual(['sim-linux-1', 'sim-linux-2']);
    await service.follow('lab', 'vote', 'vote');
    await waitFor(async () => (await runningPods('vote', `${INSTANCE}=vote`)).length === 2, {
      timeout: 30_000,
      description: 'two Running pods',
    });
    const pods = await runningPods('vote', `${INSTANCE}=vote`);
    expect(pods.map((pod) => pod.spec.nodeName).every((node) => node === 'sim-linux-1' || node === 'sim-linux-2')).toBe(true);

    const front = await admin.request<{
      metadata: { labels: Record<string, string>; managedFields: { manager: string; operation: string }[] };
      spec: { template: { spec: { containers: { image: string; env: { name: string; value: string }[] }[] } } };
    }>('GET', '/apis/apps/v1/namespaces/vote/deployments/azure-vote-front');
    expect(front.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'nestlab', 'nestlab.dev/app-instance': 'vote' });
    expect(front.metadata.managedFields.some((field) => field.manager === 'nestlab' && field.operation === 'Apply')).toBe(true);
    expect(front.spec.template.spec.containers[0]?.image).toBe('registry.lab.test:5000/mcr.microsoft.com/azuredocs/azure-vote-front:v1');
    expect(front.spec.template.spec.containers[0]?.env).toContainEqual({ name: 'REDIS', value: 'azure-vote-back' });

    // The LoadBalancer Service gets an external IP, and the status offers an http URL to it.
    await waitFor(() => statuses.some((s) => s.instance === 'vote' && s.ready && s.openUrl !== undefined), {
      timeout: 30_000,
      description: 'ready with an Open URL',
    });
    const last = statuses.filter((s) => s.instance === 'vote').at(-1);
    expect(last?.services.find((s) => s.name === 'azure-vote-front')?.externalAddress?.startsWith(LOAD_BALANCER_PREFIX)).toBe(true);
    expect(last?.openUrl).toMatch(/^http:\/\/192\.0\.2\.\d+\/$/);
    // A documentation address is never reachable from here: the view leads with the port-forward.
    expect(last?.openReachable).toBe(false);
    // ...and offers the tunnel through the lab host, which reaches the lab network.
    expect(last?.labHost).toEqual({ id: 'host-1', name: 'kvm-lab' });
    expect(last?.deployments.map((d) => [d.name, d.desired, d.ready])).toEqual([
      ['azure-vote-back', 1, 1],
      ['azure-vote-front', 1, 1],
    ]);
  });

  it('does not count a tainted control-plane node as a node the app can run on', async () => {
    await kubectl(['cordon', 'sim-linux-1', 'sim-linux-2']);
    try {
      const preflight = await service.preflight({ context: 'lab', namespace: 'vote-taint', appId: 'nginx', instance: 'nginx' });
      expect(preflight.readyNodes).toEqual([]);
      expect(preflight.problems.find((p) => p.blocking)?.message).toBe(
        "The cluster has no Ready Linux node this app's pods may run on (sim-control-plane-1 is tainted node-role.kubernetes.io/master:NoSchedule, and the app does not tolerate that): they could never be scheduled.",
      );
    } finally {
      await kubectl(['uncordon', 'sim-linux-1', 'sim-linux-2']);
    }
  });

  it('lists the installed instance from its record', async () => {
    const list = await service.list('lab');
    expect(list.map((app) => [app.namespace, app.instance, app.appId])).toEqual([['vote', 'vote', 'azure-vote']]);
    expect(list[0]?.objects.map((o) => `${o.kind}/${o.name}`)).toContain('Service/azure-vote-front');
  });

  it('scales 1 -> 5 -> 3 through the scale subresource, and Running pods follow', async () => {
    const front = `${INSTANCE}=vote,app=azure-vote-front`;
    await service.scale('lab', 'vote', 'vote', 'azure-vote-front', 5);
    expect(await replicasOf('vote', 'azure-vote-front')).toBe(5);
    await waitFor(async () => (await runningPods('vote', front)).length === 5, { timeout: 30_000, description: 'five Running pods' });
    await service.scale('lab', 'vote', 'vote', 'azure-vote-front', 3);
    expect(await replicasOf('vote', 'azure-vote-front')).toBe(3);
    await waitFor(async () => (await podsOf('vote', front)).length === 3 && (await runningPods('vote', front)).length === 3, {
      timeout: 30_000,
      description: 'three Running pods',
    });
    await waitFor(() => statuses.at(-1)?.deployments.find((d) => d.name === 'azure-vote-front')?.ready === 3, {
      timeout: 15_000,
      description: 'status ready 3',
    });
    // Only Deployments of the instance can be scaled.
    await expect(service.scale('lab', 'vote', 'other', 'azure-vote-front', 2)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('follows a kubectl scale by someone else: the status carries the new desired count', async () => {
    await kubectl(['-n', 'vote', 'scale', 'deployment/azure-vote-front', '--replicas=7']);
    await waitFor(() => statuses.at(-1)?.deployments.find((d) => d.name === 'azure-vote-front')?.desired === 7, {
      timeout: 15_000,
      description: 'a status with desired 7',
    });
    await service.scale('lab', 'vote', 'vote', 'azure-vote-front', 2);
  });

  it('puts the ASP.NET sample on the (tainted) Windows node only, and shows the Pending reason beyond capacity', async () => {
    await simulation.stop();
    simulation = await startSimulatedNodes(controlPlane.simulation, { nodes: labNodeSpecs({ windowsWorkers: 1 }) });
    // A common lab setup: Windows workers tainted so Linux pods stay off them. The app tolerates it.
    await kubectl(['taint', 'node', 'sim-windows-1', 'os=windows:NoSchedule', '--overwrite']);
    const result = await service.install({ context: 'lab', namespace: 'win', appId: 'aspnet-sample', instance: 'aspnet' });
    expect(result.status).toBe('installed');
    await service.follow('lab', 'win', 'aspnet');
    await waitFor(async () => (await runningPods('win', `${INSTANCE}=aspnet`)).length === 1, {
      timeout: 30_000,
      description: 'one Running pod',
    });
    expect((await runningPods('win', `${INSTANCE}=aspnet`)).map((pod) => pod.spec.nodeName)).toEqual(['sim-windows-1']);

    // No room left (the only Windows node cordoned): the scale is accepted and the reason shown.
    await kubectl(['cordon', 'sim-windows-1']);
    await service.scale('lab', 'win', 'aspnet', 'aspnet-sample', 3);
    await waitFor(
      () =>
        statuses
          .filter((s) => s.instance === 'aspnet')
          .at(-1)
          ?.deployments[0]?.reason?.startsWith('Unschedulable') === true,
      { timeout: 30_000, description: 'an Unschedulable reason' },
    );
    const status = statuses.filter((s) => s.instance === 'aspnet').at(-1);
    expect(status?.deployments[0]).toMatchObject({ desired: 3, ready: 1, pendingPods: 2 });
    await kubectl(['uncordon', 'sim-windows-1']);
  });

  it('reports invalid YAML with line and column, and sends nothing', async () => {
    const yaml =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [broken\ndata: {}\n';
    const result = await service.applyYaml({ context: 'lab', namespace: 'vote', yaml });
    expect(result.status).toBe('invalid');
    if (result.status !== 'invalid') return;
    expect(result.problems[0]).toMatchObject({ document: 2 });
    expect(result.problems[0]?.line).toBeGreaterThanOrEqual(4);
    expect(result.problems[0]?.column).toBeGreaterThan(0);
    await expect(admin.request('GET', '/api/v1/namespaces/vote/configmaps/ok')).rejects.toMatchObject({ status: 404 });
  });

  it('dry-runs then applies multi-document YAML; a conflict names the other field manager and force takes over only when asked', async () => {
    const owned = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\ndata:\n  mode: blue\n';
    const applied = await runKubectlWithInput(['-n', 'vote', 'apply', '--server-side', '--field-manager=lab-operator', '-f', '-'], owned);
    expect(applied.exitCode).toBe(0);

    const yaml =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  a: "1"\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\ndata:\n  mode: green\n';
    const dryRun = await service.dryRunYaml({ context: 'lab', namespace: 'vote', yaml });
    expect(dryRun.status).toBe('done');
    if (dryRun.status !== 'done') return;
    expect(dryRun.dryRun).toBe(true);
    expect(dryRun.results[0]).toMatchObject({ object: { kind: 'ConfigMap', name: 'extra', namespace: 'vote' }, outcome: 'created' });
    expect(dryRun.results[1]).toMatchObject({ outcome: 'failed', error: { code: 'CONFLICT' } });
    expect(dryRun.results[1]?.error?.message).toContain('lab-operator');
    expect(dryRun.results[1]?.error?.details).toMatchObject({ managers: ['lab-operator'] });
    await expect(admin.request('GET', '/api/v1/namespaces/vote/configmaps/extra')).rejects.toMatchObject({ status: 404 });

    const apply = await service.applyYaml({ context: 'lab', namespace: 'vote', yaml });
    expect(apply.status === 'done' && apply.results.map((r) => r.outcome)).toEqual(['created', 'failed']);
    const unchanged = await admin.request<{ data: Record<string, string> }>('GET', '/api/v1/namespaces/vote/configmaps/shared');
    expect(unchanged.data.mode).toBe('blue');

    const forced = await service.applyYaml({ context: 'lab', namespace: 'vote', yaml, force: true });
    expect(forced.status === 'done' && forced.results.map((r) => r.outcome)).toEqual(['unchanged', 'configured']);
    const taken = await admin.request<{ data: Record<string, string> }>('GET', '/api/v1/namespaces/vote/configmaps/shared');
    expect(taken.data.mode).toBe('green');
  });

  it('refuses writes the user may not make: FORBIDDEN per object, and a refused install that wrote nothing', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: viewer-was-here\ndata: {}\n';
    const result = await viewerService.applyYaml({ context: 'lab', namespace: 'vote', yaml });
    expect(result.status === 'done' && result.results[0]).toMatchObject({ outcome: 'failed', error: { code: 'FORBIDDEN' } });
    await expect(admin.request('GET', '/api/v1/namespaces/vote/configmaps/viewer-was-here')).rejects.toMatchObject({ status: 404 });

    const install = await viewerService.install({ context: 'lab', namespace: 'vote', appId: 'nginx', instance: 'web' });
    expect(install.status).toBe('refused');
    expect(install.preflight.problems.some((p) => p.blocking && p.code === 'FORBIDDEN')).toBe(true);
    await expect(admin.request('GET', '/apis/apps/v1/namespaces/vote/deployments/nginx')).rejects.toMatchObject({ status: 404 });
  });

  it('refuses a deploy whose names belong to something else', async () => {
    await kubectl(['-n', 'vote', 'create', 'deployment', 'nginx', '--image=nginx']);
    const preflight = await service.preflight({ context: 'lab', namespace: 'vote', appId: 'nginx', instance: 'web' });
    expect(preflight.ok).toBe(false);
    expect(preflight.problems.find((p) => p.code === 'ALREADY_EXISTS')?.object).toMatchObject({ kind: 'Deployment', name: 'nginx' });
  });

  it('uninstalls exactly what the app created: unrelated objects in the namespace survive', async () => {
    const uninstall = await service.uninstall('lab', 'vote', 'vote');
    expect(uninstall.deleted.map((o) => `${o.kind}/${o.name}`).sort()).toEqual([
      'ConfigMap/nestlab-app-vote',
      'Deployment/azure-vote-back',
      'Deployment/azure-vote-front',
      'Service/azure-vote-back',
      'Service/azure-vote-front',
    ]);
    await waitFor(async () => (await podsOf('vote', `nestlab.dev/app-instance=vote`)).length === 0, {
      timeout: 30_000,
      description: 'pods gone',
    });
    const left = await kubectl(['-n', 'vote', 'get', 'all,configmaps', '-l', 'nestlab.dev/app-instance=vote', '-o', 'name']);
    expect(left.trim()).toBe('');
    const replicaSets = await kubectl(['-n', 'vote', 'get', 'replicasets', '-o', 'name']);
    expect(replicaSets).not.toContain('azure-vote');
    // Unrelated objects in the same namespace are untouched.
    const unrelated = await kubectl(['-n', 'vote', 'get', 'configmap/shared', 'configmap/extra', 'deployment/nginx', '-o', 'name']);
    expect(unrelated.trim().split('\n')).toHaveLength(3);
    expect(await service.list('lab')).toHaveLength(1); // aspnet remains
    await expect(service.uninstall('lab', 'vote', 'vote')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

async function runKubectlWithInput(args: string[], input: string): Promise<{ exitCode: number; stderr: string }> {
  const { spawn } = await import('node:child_process');
  const { findControlPlaneBinaries } = await import('../../harness/binaries.js');
  return new Promise((resolve) => {
    const child = spawn(findControlPlaneBinaries().kubectl, ['--kubeconfig', controlPlane.adminKubeconfigPath, ...args]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ exitCode: code ?? 1, stderr }));
    child.stdin.end(input);
  });
}
