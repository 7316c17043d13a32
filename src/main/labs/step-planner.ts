/**
 * Operations as ordered steps. A step is a title, a phase, an estimate and a `run` that observes
 * before it acts; steps of one phase run in parallel (one per VM). The same steps run for real,
 * on resume, and in the dry run (where observations answer "not there yet" so every acting
 * command is listed).
 */
import type { LabMachine, LabOperationKind, LabPlan, StepPhase } from '../../shared/contract/labs';
import { endpointService } from '../../shared/lab-endpoint';
import { bootstrapFirst, joinLinux } from './bootstrap';
import { applyCni } from './cni-step';
import { ensureKubernetesTools, installBundle, waitForSsh } from './node-install';
import { joinWindows } from './windows-node';
import { setUpExternalEtcd } from './external-etcd';
import type { LabDriver } from './lab-driver';
import { firstControlPlane } from './machines';
import { applyMetallb, labUsesMetallb, loadBalancerRange } from './metallb';
import { bundleFiles, checkBundleCni } from './offline-bundle';
import { checkBundleWindows } from './windows-bundle';
import { done, skipped } from './step-context';
import type { StepContext, StepOutcome } from './step-context';

/** What the kubeconfig, node and drain steps need from the service (the Kubernetes side). */
export interface ClusterSteps {
  saveKubeconfig(ctx: StepContext): Promise<StepOutcome>;
  annotateNode(ctx: StepContext, machine: LabMachine): Promise<StepOutcome>;
  waitReady(ctx: StepContext, machines: LabMachine[]): Promise<StepOutcome>;
  cordon(ctx: StepContext, machine: LabMachine): Promise<StepOutcome>;
  drain(ctx: StepContext, machine: LabMachine, options?: NodeDrainOptions): Promise<StepOutcome>;
  uncordon(ctx: StepContext, machine: LabMachine): Promise<StepOutcome>;
  deleteNode(ctx: StepContext, machine: LabMachine): Promise<StepOutcome>;
  forgetKubeconfig(ctx: StepContext): Promise<StepOutcome>;
}

/** How a drain treats pods with emptyDir volumes (default: evicts them, as for a worker being removed). */
export interface NodeDrainOptions {
  deleteEmptyDirData?: boolean;
}

export interface StepDefinition {
  id: string;
  phase: StepPhase;
  title: string;
  vm?: string;
  estimateMs: number;
  run(ctx: StepContext): Promise<StepOutcome>;
}

/** Rough durations on a lab host, for the estimate; the engine refines nothing, it only sums. */
const estimates: Record<StepPhase, number> = {
  prepare: 3_000,
  network: 3_000,
  endpoint: 5_000,
  bundle: 30_000,
  vms: 20_000,
  addresses: 30_000,
  ssh: 120_000,
  etcd: 60_000,
  bootstrap: 180_000,
  cni: 20_000,
  'load-balancer': 30_000,
  'join-control-planes': 120_000,
  'join-linux-workers': 90_000,
  'join-windows-workers': 300_000,
  kubeconfig: 3_000,
  nodes: 60_000,
  cordon: 1_000,
  drain: 30_000,
  snapshot: 60_000,
  upgrade: 300_000,
  'upgrade-nodes': 600_000,
  'power-off': 30_000,
  'power-on': 10_000,
  drill: 300_000,
  uncordon: 1_000,
  'delete-nodes': 1_000,
  'delete-vms': 10_000,
  cleanup: 5_000,
};

const CNI_TITLES: Readonly<Record<LabPlan['cni'], string>> = {
  flannel: 'Install Flannel',
  calico: 'Install Calico',
  bundle: "Check the network plugin from the offline bundle's cni/",
};

/** The CNI step's title for the plan's network plugin. */
function cniStepTitle(plan: LabPlan): string {
  return CNI_TITLES[plan.cni];
}

/** A step with its phase's estimate. */
export function step(phase: StepPhase, id: string, title: string, run: StepDefinition['run'], vm?: string): StepDefinition {
  return { id, phase, title, estimateMs: estimates[phase], run, ...(vm === undefined ? {} : { vm }) };
}

/** Per-machine steps to bring machines into the cluster (used by provision, scale up and a worker's recreation). */
export function growSteps(
  driver: LabDriver,
  cluster: ClusterSteps,
  added: LabMachine[],
  plan: LabPlan,
  all: LabMachine[],
): StepDefinition[] {
  const steps: StepDefinition[] = [];
  const existing = plan.driver === 'existing';
  for (const machine of added) {
    const title = existing ? `Check ${machine.name} answers over SSH` : `Create VM ${machine.name}`;
    steps.push(step('vms', `create-vm:${machine.name}`, title, (ctx) => driver.ensureVm(ctx, machine), machine.name));
  }
  for (const machine of added) {
    steps.push(
      step(
        'addresses',
        `address:${machine.name}`,
        `Wait for ${machine.name}'s address`,
        async (ctx) => {
          const timeoutMs = (await driver.bootTimeoutMs?.(ctx)) ?? 300_000;
          const address = await ctx.waitFor(`an address for ${machine.name}`, () => driver.address(ctx, machine), {
            timeoutMs,
            intervalMs: 2_000,
            placeholder: `<address of ${machine.name}>`,
          });
          if (!ctx.dry) machine.address = address;
          machine.state = machine.state === 'absent' ? 'created' : machine.state;
          return done(address);
        },
        machine.name,
      ),
    );
  }
  for (const machine of added) {
    if (existing) {
      steps.push(
        step(
          'ssh',
          `ssh:${machine.name}`,
          `Install Kubernetes tools on ${machine.name}`,
          (ctx) => ensureKubernetesTools(ctx, machine),
          machine.name,
        ),
      );
      continue;
    }
    steps.push(
      step(
        'ssh',
        `ssh:${machine.name}`,
        `Wait for SSH and cloud-init on ${machine.name}`,
        async (ctx) => {
          const outcome = await waitForSsh(ctx, machine, await driver.bootTimeoutMs?.(ctx));
          await installBundle(ctx, machine, () => driver.copyBundleToVm(ctx, machine));
          return outcome;
        },
        machine.name,
      ),
    );
  }
  const first = firstControlPlane(all);
  if (added.includes(first)) {
    steps.push(
      step(
        'bootstrap',
        `bootstrap:${first.name}`,
        `Bootstrap the first control plane (${first.name})`,
        async (ctx) => bootstrapFirst(ctx, first, await driver.bootTimeoutMs?.(ctx)),
        first.name,
      ),
    );
  }
  if (plan.etcd === 'external' && added.includes(first)) {
    steps.push(
      step('etcd', 'etcd', 'Set up the external etcd cluster (CA, member certificates, static pods) and its client certificate', (ctx) =>
        setUpExternalEtcd(ctx, first),
      ),
    );
  }
  const windows = plan.windowsWorkers > 0;
  if (added.includes(first) || added.some((machine) => machine.os === 'windows')) {
    steps.push(step('cni', 'cni', `${cniStepTitle(plan)}${windows ? ' (with the Windows parts)' : ''}`, (ctx) => applyCni(ctx, windows)));
  }
  if (labUsesMetallb(plan) && added.includes(first)) {
    steps.push(
      step('load-balancer', 'load-balancer', `Install MetalLB (LoadBalancer addresses ${loadBalancerRange(plan)})`, (ctx) =>
        applyMetallb(ctx),
      ),
    );
  }
  const phaseOf = (machine: LabMachine): StepPhase =>
    machine.role === 'control-plane' ? 'join-control-planes' : machine.os === 'windows' ? 'join-windows-workers' : 'join-linux-workers';
  // etcd VMs run etcd only: they never join as nodes.
  const nodes = added.filter((machine) => machine.role !== 'etcd');
  for (const machine of nodes) {
    if (machine === first) continue;
    steps.push(
      step(
        phaseOf(machine),
        `join:${machine.name}`,
        `Join ${machine.name}`,
        async (ctx) => {
          const outcome =
            machine.os === 'windows'
              ? await joinWindows(ctx, machine, () => driver.copyBundleToVm(ctx, machine))
              : await joinLinux(ctx, machine);
          machine.state = 'joined';
          return outcome;
        },
        machine.name,
      ),
    );
  }
  steps.push(step('kubeconfig', 'kubeconfig', 'Fetch, rewrite, verify and save the kubeconfig', (ctx) => cluster.saveKubeconfig(ctx)));
  for (const machine of nodes) {
    steps.push(
      step(
        'nodes',
        `annotate:${machine.name}`,
        existing ? `Annotate node ${machine.name} with its machine's host` : `Annotate node ${machine.name} with its host and VM`,
        async (ctx) => {
          const outcome = await cluster.annotateNode(ctx, machine);
          machine.state = 'joined';
          return outcome;
        },
        machine.name,
      ),
    );
  }
  steps.push(step('nodes', 'ready', 'Wait for the nodes to be Ready', (ctx) => cluster.waitReady(ctx, nodes)));
  return steps.sort((a, b) => phaseIndex(a.phase) - phaseIndex(b.phase));
}

const phaseOrder: readonly StepPhase[] = [
  'prepare',
  'network',
  'endpoint',
  'bundle',
  'cordon',
  'drain',
  'power-off',
  'power-on',
  'drill',
  'delete-nodes',
  'vms',
  'addresses',
  'ssh',
  'etcd',
  'bootstrap',
  'cni',
  'load-balancer',
  'join-control-planes',
  'join-linux-workers',
  'join-windows-workers',
  'kubeconfig',
  'snapshot',
  'upgrade',
  'upgrade-nodes',
  'nodes',
  'uncordon',
  'delete-vms',
  'cleanup',
];

/** The lab host has a part in serving the endpoint: HAProxy (Linux host) or a NetNat port mapping (Hyper-V host). */
function servesOnHost(plan: LabPlan): boolean {
  const service = endpointService(plan);
  return service.loadBalancer || service.portMapping;
}

function endpointStepTitle(plan: LabPlan, action: 'serve' | 'remove'): string {
  if (endpointService(plan).portMapping) {
    return action === 'serve'
      ? "Serve the API endpoint: map the host's port to the control plane (NetNat) and let it through the firewall"
      : "Remove the NetNat mapping and firewall rule of the host's port";
  }
  return action === 'serve'
    ? 'Serve the API endpoint: HAProxy on the host in front of the control planes'
    : "Remove the lab's HAProxy instance on the host";
}

export function phaseIndex(phase: StepPhase): number {
  return phaseOrder.indexOf(phase);
}

/**
 * Phases whose steps run one after another, not side by side. Control planes join one at a time:
 * each join adds an etcd member (two at once can leave a cluster of three members with one
 * running, without quorum), and each uploads the certificates again under a new key, which the
 * other join, holding the older key, can then no longer decrypt (both seen with a real kubeadm
 * 1.20 on the real libvirt host).
 */
export const SERIAL_PHASES: ReadonlySet<StepPhase> = new Set(['join-control-planes']);

/** The steps that remove machines: cordon, drain, delete the node, then the VM. */
/** The last step of a machine: delete its VM, or reset an existing machine (which stays). */
function deleteMachineStep(plan: LabPlan, driver: LabDriver, machine: LabMachine): StepDefinition {
  const title = plan.driver === 'existing' ? `Reset Kubernetes on ${machine.name} (the machine stays)` : `Delete VM ${machine.name}`;
  return step('delete-vms', `delete-vm:${machine.name}`, title, (ctx) => driver.deleteVm(ctx, machine), machine.name);
}

function shrinkSteps(plan: LabPlan, driver: LabDriver, cluster: ClusterSteps, removed: LabMachine[]): StepDefinition[] {
  const steps: StepDefinition[] = [];
  for (const machine of removed) {
    steps.push(step('cordon', `cordon:${machine.name}`, `Cordon ${machine.name}`, (ctx) => cluster.cordon(ctx, machine), machine.name));
    steps.push(step('drain', `drain:${machine.name}`, `Drain ${machine.name}`, (ctx) => cluster.drain(ctx, machine), machine.name));
    steps.push(
      step(
        'delete-nodes',
        `delete-node:${machine.name}`,
        `Delete node ${machine.name}`,
        (ctx) => cluster.deleteNode(ctx, machine),
        machine.name,
      ),
    );
    steps.push(deleteMachineStep(plan, driver, machine));
  }
  return steps.sort((a, b) => phaseIndex(a.phase) - phaseIndex(b.phase));
}

/**
 * The steps of an operation. `machines` is the lab's machine list after the change was decided:
 * machines beyond the plan's counts are removed (scale down), machines in state 'absent' are
 * created (provision, scale up).
 */
export function planSteps(
  kind: LabOperationKind,
  plan: LabPlan,
  machines: LabMachine[],
  driver: LabDriver,
  cluster: ClusterSteps,
  removed: LabMachine[],
): StepDefinition[] {
  if (kind === 'delete') {
    return [
      ...machines.map((machine) => deleteMachineStep(plan, driver, machine)),
      ...(driver.removeApiEndpoint !== undefined && servesOnHost(plan)
        ? [step('cleanup', 'remove-endpoint', endpointStepTitle(plan, 'remove'), (ctx) => driver.removeApiEndpoint!(ctx))]
        : []),
      // Existing machines leave nothing on a lab host to clean up.
      ...(plan.driver === 'existing'
        ? []
        : [step('cleanup', 'cleanup', 'Remove the network, disks folder and lab key', (ctx) => driver.cleanup(ctx))]),
      step('cleanup', 'forget-kubeconfig', 'Remove the lab context from Nestlab', (ctx) => cluster.forgetKubeconfig(ctx)),
    ];
  }
  if (kind === 'provision') {
    if (plan.driver === 'existing') return growSteps(driver, cluster, machines, plan, machines);
    return [
      step('prepare', 'prepare', 'Prepare the lab folder and SSH key on the host', (ctx) => driver.prepare(ctx)),
      step('network', 'network', plan.network.mode === 'nat' ? 'Create the NAT network' : 'Check the bridge', (ctx) =>
        driver.ensureNetwork(ctx),
      ),
      ...(driver.ensureApiEndpoint !== undefined && servesOnHost(plan)
        ? [step('endpoint', 'endpoint', endpointStepTitle(plan, 'serve'), (ctx) => driver.ensureApiEndpoint!(ctx))]
        : []),
      ...(plan.offlineBundle === undefined
        ? []
        : [
            step('bundle', 'bundle', 'Upload the offline bundle', async (ctx) => {
              const files = await bundleFiles(plan.offlineBundle ?? '', ctx.dry);
              checkBundleCni(plan, files);
              checkBundleWindows(plan, files);
              return driver.uploadBundle(ctx);
            }),
          ]),
      ...growSteps(driver, cluster, machines, plan, machines),
    ];
  }
  const added = machines.filter((machine) => machine.state === 'absent');
  const grow = added.length > 0 ? growSteps(driver, cluster, added, plan, machines).filter((s) => s.id !== 'kubeconfig') : [];
  const shrink = shrinkSteps(plan, driver, cluster, removed);
  const all = [...shrink, ...grow];
  return all.length > 0
    ? all.sort((a, b) => phaseIndex(a.phase) - phaseIndex(b.phase))
    : [step('nodes', 'nothing', 'Nothing to change', () => Promise.resolve(skipped('The worker counts are already as asked.')))];
}
