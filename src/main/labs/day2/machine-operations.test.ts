import { describe, expect, it } from 'vitest';
import type { LabMachine, LabPlan, MachineAction } from '../../../shared/contract/labs';
import { createClusterSteps } from '../cluster-steps';
import { dryRunSteps } from '../engine';
import { HyperVDriver } from '../hyperv-driver';
import { LibvirtDriver } from '../libvirt-driver';
import { machinesOf } from '../machines';
import { testPlan } from '../test-plans';
import { checkMachineAction, machineOperationKind, machineOperationSteps } from './machine-operations';

const joined = (plan: LabPlan): LabMachine[] =>
  machinesOf(plan).map((machine, index) => ({ ...machine, state: 'joined', address: `192.0.2.${11 + index}` }));

const cluster = createClusterSteps({
  clusters: {
    importKubeconfig: () => Promise.reject(new Error('a dry run imports nothing')),
    remove: () => Promise.resolve(),
    contextNames: () => Promise.resolve([]),
    requestAs: () => Promise.reject(new Error('a dry run asks no API server')),
  },
  hostName: 'kvm-lab',
  hostAddress: '198.51.100.7',
  context: 'lab1',
  ownsContext: () => true,
  onSaved: () => undefined,
  drainTimeoutMs: 120_000,
});

/** The dry run of one machine action: each step's commands, one line each. */
async function commands(action: MachineAction, plan: LabPlan, name: string): Promise<string[]> {
  const machines = joined(plan);
  const machine = machines.find((candidate) => candidate.name === name)!;
  const driver =
    plan.driver === 'hyperv'
      ? new HyperVDriver(plan, 'D:\\Labs', 'abcd1234')
      : new LibvirtDriver(plan, '/var/lib/libvirt/images', 'abcd1234');
  const definitions = machineOperationSteps({
    kind: machineOperationKind(action),
    plan,
    machine,
    machines,
    driver,
    cluster,
    kube: () => Promise.reject(new Error('a dry run asks no API server')),
    request: {},
    timeline: [],
  });
  const steps = await dryRunSteps(plan, machines, '/var/lib/libvirt/images', definitions);
  return steps.flatMap((step) => [
    `# ${step.id} (${step.phase}): ${step.title}`,
    ...step.commands.map(
      (command) =>
        `${command.target.kind}: ${command.display
          .split('\n')
          .filter((line) => !line.startsWith('$ErrorActionPreference') && !line.startsWith('$ProgressPreference'))
          .join(' | ')}`,
    ),
  ]);
}

describe('machine operations', () => {
  const lab = (patch: Partial<Parameters<typeof checkMachineAction>[0]> = {}) => ({
    name: 'lab1',
    status: 'ready' as const,
    kind: undefined,
    machines: joined(testPlan()),
    driver: 'libvirt' as const,
    ...patch,
  });

  it('refuses power actions on machines that are no VMs, and recreation or a drill of anything but a worker', () => {
    expect(() => checkMachineAction(lab({ driver: 'existing' }), 'lab1-linux1', { action: 'stop' })).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: 'lab1-linux1 is a machine of its own, not a VM Nestlab runs, so Nestlab cannot stop it.',
      }),
    );
    expect(checkMachineAction(lab({ driver: 'existing' }), 'lab1-linux1', { action: 'maintain' }).name).toBe('lab1-linux1');
    expect(() => checkMachineAction(lab(), 'lab1-cp1', { action: 'recreate' })).toThrow(
      /lab1-cp1 is a control plane: only workers can be recreated\./,
    );
    expect(() => checkMachineAction(lab(), 'lab1-cp1', { action: 'simulate-failure' })).toThrow(/only workers can be failed on purpose/);
    expect(checkMachineAction(lab(), 'lab1-cp1', { action: 'restart' }).role).toBe('control-plane');
  });

  it('recreates a worker that never joined, but starts or stops only a machine with a node', () => {
    const machines = joined(testPlan()).map((machine) =>
      machine.name === 'lab1-linux1' ? { ...machine, state: 'created' as const } : machine,
    );
    expect(checkMachineAction(lab({ machines }), 'lab1-linux1', { action: 'recreate' }).name).toBe('lab1-linux1');
    expect(() => checkMachineAction(lab({ machines }), 'lab1-linux1', { action: 'start' })).toThrow(
      'lab1-linux1 has not joined the cluster yet, so it has no node to start.',
    );
  });

  it('a failed machine operation does not block the next one; another failed operation does', () => {
    expect(checkMachineAction(lab({ status: 'failed', kind: 'stop-machine' }), 'lab1-linux1', { action: 'start' }).name).toBe(
      'lab1-linux1',
    );
    expect(() => checkMachineAction(lab({ status: 'failed', kind: 'scale' }), 'lab1-linux1', { action: 'start' })).toThrow(
      /resume it before/,
    );
  });

  it('libvirt: the commands of Start, Stop, Restart and the failure drill', async () => {
    const plan = testPlan();
    expect(await commands('start', plan, 'lab1-linux1')).toMatchSnapshot();
    expect(await commands('stop', plan, 'lab1-linux1')).toMatchSnapshot();
    expect((await commands('restart', plan, 'lab1-linux1')).filter((line) => line.startsWith('#'))).toEqual([
      '# cordon:lab1-linux1 (cordon): Cordon lab1-linux1',
      '# drain:lab1-linux1 (drain): Drain lab1-linux1',
      '# shutdown:lab1-linux1 (power-off): Shut down VM lab1-linux1',
      '# start:lab1-linux1 (power-on): Start VM lab1-linux1',
      '# ready-after-boot:lab1-linux1 (nodes): Wait for node lab1-linux1 to be Ready after the boot',
      '# uncordon:lab1-linux1 (uncordon): Uncordon lab1-linux1',
    ]);
    expect(await commands('simulate-failure', plan, 'lab1-linux1')).toMatchSnapshot();
  });

  it('Hyper-V: the scripts of Start, Stop and the failure drill', async () => {
    const plan = testPlan({ driver: 'hyperv', windowsWorkers: 0 });
    expect(await commands('start', plan, 'lab1-linux1')).toMatchSnapshot();
    expect(await commands('stop', plan, 'lab1-linux1')).toMatchSnapshot();
    expect(await commands('simulate-failure', plan, 'lab1-linux1')).toMatchSnapshot();
  });
});
