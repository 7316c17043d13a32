import { KubeRestClient, labNodeSpecs, startControlPlane, startSimulatedNodes, waitFor } from '../../harness/index.js';
import type { ControlPlane, SimulatedKubeletsOptions, SimulatedNodes } from '../../harness/index.js';
import type { PodView } from './kube-objects.js';

/** A control plane with the usual lab of simulated nodes and their simulated kubelets. */
export interface KubeletLab {
  controlPlane: ControlPlane;
  simulation: SimulatedNodes;
  rest: KubeRestClient;
  stop(): Promise<void>;
}

export async function startKubeletLab(kubelets: SimulatedKubeletsOptions = {}): Promise<KubeletLab> {
  const controlPlane = await startControlPlane();
  const simulation = await startSimulatedNodes(controlPlane.simulation, { nodes: labNodeSpecs(), kubelets });
  const rest = new KubeRestClient(controlPlane.admin);
  return {
    controlPlane,
    simulation,
    rest,
    stop: async () => {
      rest.close();
      await simulation.stop();
      await controlPlane.stop();
    },
  };
}

export interface TestPodOptions {
  os?: 'linux' | 'windows';
  labels?: Record<string, string>;
  containers?: Array<{ name: string; ports?: number[]; stdin?: boolean; tty?: boolean }>;
}

/** Creates a pod in `default` and waits until the simulation reports it Running. */
export async function createRunningPod(rest: KubeRestClient, name: string, options: TestPodOptions = {}): Promise<void> {
  const containers = options.containers ?? [{ name: 'app', ports: [80] }];
  await rest.post('/api/v1/namespaces/default/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: options.labels ?? { app: name } },
    spec: {
      nodeSelector: { 'kubernetes.io/os': options.os ?? 'linux' },
      ...(options.os === 'windows' ? { tolerations: [{ key: 'os', value: 'windows', effect: 'NoSchedule' }] } : {}),
      containers: containers.map((container) => ({
        name: container.name,
        image: `example.invalid/${container.name}:1`,
        ...(container.ports !== undefined ? { ports: container.ports.map((containerPort) => ({ containerPort })) } : {}),
        ...(container.stdin === true ? { stdin: true } : {}),
        ...(container.tty === true ? { tty: true } : {}),
      })),
    },
  });
  await waitFor(async () => (await rest.get<PodView>(`/api/v1/namespaces/default/pods/${name}`)).status.phase === 'Running', {
    timeout: 30_000,
    description: `pod ${name} Running`,
  });
}
