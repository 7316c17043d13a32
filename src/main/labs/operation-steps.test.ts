import { describe, expect, it } from 'vitest';
import type { HostSummary } from '../../shared/contract/hosts';
import type { LabOperationKind, LabPlan } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import { LabEndpointAccess } from './endpoint-access';
import type { LabRecord } from './lab-store';
import { machinesOf } from './machines';
import { newOperation } from './operation-runner';
import { OperationSteps } from './operation-steps';
import { testPlan } from './test-plans';

const summary = (id: string, name: string): HostSummary =>
  ({ id, name, address: `${name}.lab`, os: 'linux', storagePath: '/srv/labs' }) as HostSummary;
const nothing = () => Promise.reject(new AppError('INTERNAL', 'preparing an operation reaches no machine'));

/** Operation steps over an inventory of `hosts`; nothing else is reachable. */
function operationSteps(...hosts: HostSummary[]) {
  const inventory = new Map(hosts.map((host) => [host.id, host]));
  return new OperationSteps({
    dataDir: '/nonexistent',
    hosts: {
      get: (id) => {
        const host = inventory.get(id);
        return host === undefined ? Promise.reject(new AppError('NOT_FOUND', `no host ${id}`)) : Promise.resolve(host);
      },
      probe: nothing,
      run: nothing,
      runAsRoot: nothing,
      connection: nothing,
    },
    clusters: { importKubeconfig: nothing, remove: nothing, contextNames: nothing, requestAs: nothing },
    endpoints: new LabEndpointAccess(nothing),
  });
}

function record(plan: LabPlan, kind: LabOperationKind, changes: Partial<LabRecord> = {}): LabRecord {
  return {
    version: 1,
    id: 'lab-id',
    plan,
    status: 'running',
    machines: machinesOf(plan),
    removing: [],
    operation: newOperation(kind),
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
    ...changes,
  };
}

const names = (machines: readonly { name: string }[]) => machines.map((machine) => machine.name);
const plan = testPlan({ linuxWorkers: 2, windowsWorkers: 0 });

describe('what an operation runs', () => {
  it('a scale runs on the machines the lab keeps and removes the others; a delete covers every machine', async () => {
    const steps = operationSteps(summary('host-1', 'kvm-lab'));
    const scale = await steps.prepare(record(plan, 'scale', { removing: ['lab1-linux2'] }));
    expect(names(scale.target)).toEqual(['lab1-cp1', 'lab1-linux1']);
    expect(names(scale.env.machines)).toEqual(['lab1-cp1', 'lab1-linux1']);
    expect(scale.definitions.filter((step) => step.id.endsWith(':lab1-linux2')).length).toBeGreaterThan(0);
    expect(scale.env).toMatchObject({ storagePath: '/srv/labs', hostAddress: 'kvm-lab.lab' });

    const removal = await steps.prepare(record(plan, 'delete', { removing: ['lab1-linux2'] }));
    expect(names(removal.env.machines)).toEqual(['lab1-cp1', 'lab1-linux1', 'lab1-linux2']);
    expect(removal.definitions.map((step) => step.id)).toContain('forget-kubeconfig');
  });

  it("a machine operation about a machine the lab does not have is NOT_FOUND; one about a worker runs that worker's steps", async () => {
    const steps = operationSteps(summary('host-1', 'kvm-lab'));
    const stray = record(plan, 'maintain');
    stray.operation = { ...newOperation('maintain'), machine: 'lab1-linux9' };
    await expect(steps.prepare(stray)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'Lab "lab1" has no machine lab1-linux9.' });

    const maintain = record(plan, 'maintain');
    maintain.operation = { ...newOperation('maintain'), machine: 'lab1-linux1' };
    const prepared = await steps.prepare(maintain);
    expect(prepared.definitions.length).toBeGreaterThan(0);
    // What the operation was asked for is kept with it for a resume.
    expect(maintain.operation.node).toEqual({});
  });

  it('existing machines: a machine whose host left the inventory says so and how to fix it, when it is reached', async () => {
    const existing = testPlan({
      driver: 'existing',
      existingMachines: [
        { hostId: 'h-cp', role: 'control-plane' },
        { hostId: 'h-w1', role: 'linux-worker' },
      ],
      linuxWorkers: 1,
      windowsWorkers: 0,
    });
    const lab = record(existing, 'provision');
    const worker = lab.machines.find((machine) => machine.hostId === 'h-w1');
    if (worker === undefined) throw new Error('the plan has a worker');
    // host-1 (the plan's host) and the control plane's host are still there; the worker's is not.
    const prepared = await operationSteps(summary('host-1', 'kvm-lab'), summary('h-cp', 'cp-box')).prepare(lab);
    expect(() => prepared.env.machineAccess?.(worker)).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', details: { fix: 'Add it again in the Hosts view, then resume.' } }) as Error,
    );
    const controlPlane = lab.machines.find((machine) => machine.hostId === 'h-cp');
    expect(controlPlane === undefined ? undefined : prepared.env.machineAccess?.(controlPlane)).toBeDefined();
  });

  it('refuses a record without an operation', async () => {
    const idle = record(plan, 'provision');
    delete idle.operation;
    await expect(operationSteps(summary('host-1', 'kvm-lab')).prepare(idle)).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
