/**
 * SIMULATION BRIDGE: joins the stand-in hypervisor on a test host to the real control plane.
 * The stand-in kubeadm writes $NESTLAB_SIM_DIR/joined/<vm> when a "VM" joins; the bridge then
 * registers that VM as a simulated node (one startSimulatedNodes agent per VM, each with its own
 * pod-range index) and stops the agent when the VM's domain is undefined. Node names are the VM
 * names, as kubeadm's nodeRegistration.name makes them on real VMs.
 *
 * `existingMachine`: the test host is itself a machine of an 'existing' lab (startTestHost's
 * `machine` option); its node's agent stops when `kubeadm reset` removes the joined record.
 *
 * Power: a VM whose domain is not running (virsh shutdown / destroy, Stop-VM) has a dead kubelet:
 * its node's heartbeats stop (the node lifecycle controller then marks it NotReady, as for a real
 * one). When it runs again, or booted again in place (virsh reboot), the node reports Ready at
 * once with a new boot ID, as a kubelet does after a boot.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startSimulatedNodes } from '../simulated-nodes.js';
import type { SimulatedNodes } from '../simulated-nodes.js';
import type { SimulatedTaint } from '../simulated-node-objects.js';
import type { ClusterAccess } from '../kubeconfig.js';
import { startSimulatedMetalLb } from './simulated-metallb.js';

interface JoinedRecord {
  vm: string;
  role: 'control-plane' | 'worker';
  os: 'linux' | 'windows';
  /** The taints kubeadm registered the node with (JoinConfiguration nodeRegistration.taints): key=value:effect,... */
  taints?: string;
}

/** "os=windows:NoSchedule,a:NoExecute" as Node taints. */
export function parseTaints(text: string | undefined): SimulatedTaint[] {
  return (text ?? '')
    .split(',')
    .filter((entry) => entry !== '')
    .map((entry) => {
      const [keyValue = '', effect = ''] = entry.split(':');
      const [key = '', value] = keyValue.split('=');
      return { key, ...(value ? { value } : {}), effect: effect as SimulatedTaint['effect'] };
    });
}

/** What `kubectl apply -f -` received on the stand-in VMs (their applied/ folders), in order. */
async function appliedYaml(simDir: string): Promise<string[]> {
  const vmsDir = join(simDir, 'vms');
  const texts: string[] = [];
  for (const vm of existsSync(vmsDir) ? (await readdir(vmsDir)).sort() : []) {
    const dir = join(vmsDir, vm, 'applied');
    if (!existsSync(dir)) continue;
    for (const file of (await readdir(dir)).sort()) texts.push(await readFile(join(dir, file), 'utf8'));
  }
  return texts;
}

interface VmPower {
  up: boolean;
  boots: number;
}

/** The stand-in VM's power as the stand-in hypervisors keep it (libvirt domain or Hyper-V VM). */
async function vmPower(simDir: string, vm: string): Promise<VmPower | undefined> {
  for (const [dir, running] of [
    [join(simDir, 'libvirt', 'domains', vm), 'running'],
    [join(simDir, 'hyperv', 'vms', vm), 'Running'],
  ] as const) {
    if (!existsSync(join(dir, 'state'))) continue;
    const state = (await readFile(join(dir, 'state'), 'utf8')).trim();
    const boots = existsSync(join(dir, 'boots')) ? Number((await readFile(join(dir, 'boots'), 'utf8')).trim()) : 1;
    return { up: state === running, boots };
  }
  return undefined;
}

export interface HypervisorBridge {
  /** VM names registered as nodes right now. */
  registered(): string[];
  stop(): Promise<void>;
}

/**
 * Watch `simDir` (polling every 200 ms: the stand-ins write as another user inside the test
 * host's namespace, where inotify would miss nothing but polling keeps it simple and portable).
 */
export function startHypervisorBridge(
  simDir: string,
  access: ClusterAccess,
  options: { firstNodeIndex?: number; existingMachine?: boolean } = {},
): HypervisorBridge {
  const agents = new Map<string, Promise<SimulatedNodes>>();
  const powers = new Map<string, VmPower>();
  /** When each agent's VM joined (its joined record's mtime): a VM made again with the name joins anew. */
  const joinedAt = new Map<string, number>();
  let nextIndex = options.firstNodeIndex ?? 100;
  let stopped = false;
  let busy = false;

  // Lab VMs: LoadBalancer Services get what MetalLB would assign from the pool the lab applied.
  const metalLb = options.existingMachine === true ? undefined : startSimulatedMetalLb(access);
  metalLb?.catch(() => undefined);

  const followPower = async (vm: string, agent: Promise<SimulatedNodes>): Promise<void> => {
    const power = await vmPower(simDir, vm);
    if (power === undefined) return;
    const last = powers.get(vm);
    powers.set(vm, power);
    if (last === undefined) return;
    const nodes = await agent;
    if (!power.up && last.up) nodes.failNode(vm);
    else if (power.up && (!last.up || power.boots !== last.boots)) await nodes.rebootNode(vm);
  };

  const tick = async (): Promise<void> => {
    if (metalLb !== undefined) (await metalLb).update(await appliedYaml(simDir));
    const joinedDir = join(simDir, 'joined');
    const names = existsSync(joinedDir) ? await readdir(joinedDir) : [];
    for (const vm of names) {
      const mtime = (await stat(join(joinedDir, vm))).mtimeMs;
      const running = agents.get(vm);
      // A recreated VM (deleted and joined again between two looks) gets a fresh agent: the old
      // one's node was deleted with the old VM.
      if (running !== undefined && joinedAt.get(vm) !== mtime && !options.existingMachine) {
        agents.delete(vm);
        powers.delete(vm);
        await (await running.catch(() => undefined))?.stop();
      }
      if (agents.has(vm)) continue;
      joinedAt.set(vm, mtime);
      const record = JSON.parse(await readFile(join(joinedDir, vm), 'utf8')) as JoinedRecord;
      const index = nextIndex;
      nextIndex += 1;
      const agent = startSimulatedNodes(access, {
        nodes: [{ name: record.vm, os: record.os, role: record.role, taints: parseTaints(record.taints) }],
        firstNodeIndex: index,
        // A lab's LoadBalancer addresses are MetalLB's (simulated below), not a cloud provider's.
        ...(metalLb === undefined ? {} : { loadBalancers: false }),
      });
      agents.set(vm, agent);
      // A start that failed (a slow API server on a loaded machine) is tried again on the next tick
      // instead of leaving the node unregistered for good.
      agent.catch(() => {
        if (agents.get(vm) === agent) agents.delete(vm);
      });
    }
    for (const [vm, agent] of [...agents]) {
      // An existing machine stays; its node goes when `kubeadm reset` removed the joined record.
      const alive = options.existingMachine
        ? existsSync(join(joinedDir, vm))
        : existsSync(join(simDir, 'libvirt', 'domains', vm)) || existsSync(join(simDir, 'hyperv', 'vms', vm));
      if (alive) {
        if (!options.existingMachine) await followPower(vm, agent);
        continue;
      }
      agents.delete(vm);
      powers.delete(vm);
      await (await agent).stop();
    }
  };
  const timer = setInterval(() => {
    if (busy || stopped) return;
    busy = true;
    void tick()
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, 200);
  timer.unref();

  return {
    registered: () => [...agents.keys()],
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await Promise.all([...agents.values()].map(async (agent) => (await agent.catch(() => undefined))?.stop()));
      (await metalLb?.catch(() => undefined))?.stop();
      agents.clear();
    },
  };
}
