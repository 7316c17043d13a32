/**
 * The labs slice through the real RPC client and dispatcher (in-memory transport, every message
 * through JSON and the contract's argument schemas), with a scripted labs service standing in
 * for the main process.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  defaultLabPlan,
  FIRST_LAB_NETWORK,
  type CapacityLine,
  type HostSummary,
  type LabLogBatch,
  type LabLogLine,
  type LabPlan,
  type LabsService,
  type LabStep,
  type LabSummary,
  type MachineActionRequest,
  type SelfHealingSettings,
  type PlanCheck,
} from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { Emitter } from '../../../shared/event';
import { Dispatcher } from '../../../shared/rpc/dispatcher';
import { connectInMemory } from '../../../shared/rpc/in-memory';
import { createTestServices } from '../../../../tests/doubles/test-services';
import { createAppStore } from '../../store/app-store';
import { LAB_LOG_LIMIT } from './labs-slice';

function host(id: string, os: 'linux' | 'windows', patch: Partial<HostSummary> = {}): HostSummary {
  return {
    id,
    name: `${id}-name`,
    address: '127.0.0.1',
    port: 22,
    user: 'u',
    os,
    auth: { kind: 'agent' },
    hasPassword: false,
    hasPassphrase: false,
    hasPrivateKey: false,
    hasSudoPassword: false,
    storagePath: os === 'linux' ? '/srv/vms' : 'D:\\VMs',
    hostKey: { keyType: 'ssh-ed25519', fingerprint: 'SHA256:x', acceptedAt: '' },
    createdAt: '',
    updatedAt: '',
    ...patch,
  };
}

function step(id: string, status: LabStep['status'], progress: number): LabStep {
  return { id, phase: 'vms', title: `Step ${id}`, status, progress, estimateMs: 10_000 };
}

function lab(name: string, updatedAt: string, patch: Partial<LabSummary> = {}): LabSummary {
  const plan = defaultLabPlan('h1', name);
  return {
    name,
    hostId: 'h1',
    status: 'running',
    plan,
    machines: [{ name: `${name}-cp1`, role: 'control-plane', os: 'linux', size: plan.sizes.controlPlane, state: 'created' }],
    operation: {
      kind: 'provision',
      steps: [step('a', 'done', 1), step('b', 'running', 0.5)],
      progress: 0.6,
      startedAt: '2026-01-01T00:00:00.000Z',
      elapsedMs: 30_000,
      remainingMs: 20_000,
    },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt,
    ...patch,
  };
}

function line(text: string, at: string, patch: Partial<LabLogLine> = {}): LabLogLine {
  return { lab: 'lab1', stepId: 'b', stream: 'stdout', text, at, ...patch };
}

const memoryShort: CapacityLine = {
  resource: 'memory',
  arithmetic: '1 control plane × 4 GiB + 9 Linux workers × 4 GiB + host reserve 2 GiB = 42 GiB; host: 16 GiB available of 16 GiB',
  needed: 43008,
  available: 16384,
  unit: 'MiB',
  ok: false,
  summary: 'Memory: 42 GiB needed, 16 GiB available: short by 26 GiB.',
};

function setup() {
  const labs = new Map<string, LabSummary>();
  const logs: LabLogLine[] = [];
  const changed = new Emitter<LabSummary>();
  const appended = new Emitter<LabLogBatch>();
  const removed = new Emitter<{ name: string }>();
  let listGate: Promise<void> = Promise.resolve();
  let logsGate: Promise<void> = Promise.resolve();
  let cancelGate: Promise<void> = Promise.resolve();
  const check = (plan: LabPlan): PlanCheck =>
    plan.linuxWorkers > 5
      ? { ok: false, problems: [], capacity: [memoryShort] }
      : plan.network.cidr === '10.9.0.0/24'
        ? {
            ok: false,
            capacity: [],
            problems: [
              {
                field: 'network.cidr',
                message: "The lab network 10.9.0.0/24 overlaps the host's network on eth0.",
                fix: 'Use 192.168.150.0/24.',
              },
            ],
          }
        : { ok: true, problems: [], capacity: [] };
  const service: LabsService = {
    list: async () => {
      const answer = [...labs.values()];
      await listGate;
      return answer;
    },
    get: (name) => Promise.resolve(labs.get(name)!),
    checkPlan: vi.fn((plan: LabPlan) => Promise.resolve(check(plan))),
    proposeNetwork: vi.fn((hostId: string) =>
      Promise.resolve({
        hostId,
        network: { ...FIRST_LAB_NETWORK, cidr: '192.168.151.0/24', poolStart: '192.168.151.100', poolEnd: '192.168.151.199' },
        apiEndpointAddress: '192.168.151.10',
        taken: [],
      }),
    ),
    dryRun: (plan) =>
      Promise.resolve({
        status: 'ok',
        steps: [
          {
            id: 'create-vm:x',
            phase: 'vms',
            title: `Create VM ${plan.name}-cp1`,
            commands: [{ target: { kind: 'host' }, display: 'virt-install --name x', root: true }],
          },
        ],
      }),
    create: vi.fn((plan: LabPlan) => {
      if (plan.name === 'taken')
        return Promise.reject(new AppError('ALREADY_EXISTS', 'A lab named "taken" already exists.', { field: 'name' }));
      const summary = lab(plan.name, '2026-01-01T00:00:01.000Z', { plan });
      labs.set(plan.name, summary);
      return Promise.resolve({ status: 'started' as const, lab: summary });
    }),
    resume: (name) =>
      labs.get(name)?.status === 'ready'
        ? Promise.reject(new AppError('INVALID_ARGUMENT', `Lab "${name}" has nothing to resume: its last operation finished.`))
        : Promise.resolve({ ...labs.get(name)!, status: 'running', updatedAt: '2026-01-01T00:00:09.000Z' }),
    cancel: () => cancelGate,
    scale: (name, request) =>
      request.linuxWorkers > 5
        ? Promise.reject(new AppError('INVALID_ARGUMENT', 'The host has no room for 4 more VM(s).'))
        : Promise.resolve({ ...labs.get(name)!, status: 'running' }),
    remove: (name) => Promise.resolve({ ...labs.get(name)!, status: 'running' }),
    logs: async (_name, query) => {
      const answer = logs.slice(-(query.limit ?? 500));
      await logsGate;
      return answer;
    },
    etcdSnapshots: () => Promise.resolve({ supported: true, snapshots: [] }),
    saveEtcdSnapshot: (name) => Promise.resolve({ ...labs.get(name)!, status: 'running' }),
    restoreEtcdSnapshot: (name) => Promise.resolve({ ...labs.get(name)!, status: 'running' }),
    labSnapshots: () => Promise.resolve({ supported: true, snapshots: [] }),
    saveLabSnapshot: (name) => Promise.resolve({ ...labs.get(name)!, status: 'running' }),
    revertLabSnapshot: (name) => Promise.resolve({ ...labs.get(name)!, status: 'running' }),
    deleteLabSnapshot: () => Promise.resolve({ supported: true, snapshots: [] }),
    upgrade: (name) => Promise.resolve({ ...labs.get(name)!, status: 'running' }),
    machineAction: vi.fn((name: string, machine: string, request: MachineActionRequest) =>
      request.action === 'resume' && machine === 'gone'
        ? Promise.reject(new AppError('NOT_FOUND', `Lab "${name}" has no machine named "gone".`))
        : Promise.resolve({
            ...labs.get(name)!,
            status: 'running' as const,
            operation: { ...labs.get(name)!.operation!, kind: 'maintain' as const, machine },
          }),
    ),
    machineStatuses: () => Promise.resolve([{ name: 'lab1-cp1', node: { ready: true, unschedulable: true } }]),
    setSelfHealing: vi.fn((name: string, settings: SelfHealingSettings) =>
      Promise.resolve({ ...labs.get(name)!, selfHealing: { settings, events: [] } }),
    ),
    onDidChangeLab: changed.event,
    onDidAppendLog: appended.event,
    onDidRemoveLab: removed.event,
  };
  const link = connectInMemory(new Dispatcher({ ...createTestServices(), labs: service }));
  const store = createAppStore({ api: link.api });
  store.setState({ hosts: [host('h0', 'linux', { hostKey: undefined }), host('h1', 'linux'), host('win', 'windows')] });
  const hold = () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    return { gate, release };
  };
  return {
    store,
    service,
    labs,
    logs,
    fire: {
      change: (summary: LabSummary) => changed.fire(summary),
      append: (lines: LabLogLine[]) => appended.fire({ lab: 'lab1', lines }),
      remove: (name: string) => removed.fire({ name }),
    },
    holdList: () => {
      const { gate, release } = hold();
      listGate = gate;
      return release;
    },
    holdCancel: () => {
      const { gate, release } = hold();
      cancelGate = gate;
      return release;
    },
    holdLogs: () => {
      const { gate, release } = hold();
      logsGate = gate;
      return release;
    },
  };
}

describe('labs slice: the list and its events', () => {
  it('keeps the newest summary of each lab; an older event does not undo a newer one', async () => {
    const { store, labs, fire } = setup();
    labs.set('lab2', lab('lab2', '2026-01-01T00:00:05.000Z'));
    await store.getState().loadLabs();
    fire.change(lab('lab1', '2026-01-01T00:00:01.000Z'));
    await vi.waitFor(() => expect(store.getState().labs?.map((l) => l.name)).toEqual(['lab1', 'lab2']));

    fire.change(lab('lab2', '2026-01-01T00:00:09.000Z', { status: 'ready' }));
    fire.change(lab('lab2', '2026-01-01T00:00:07.000Z', { status: 'failed' }));
    await vi.waitFor(() => expect(store.getState().labs?.[1]?.updatedAt).toBe('2026-01-01T00:00:09.000Z'));
    expect(store.getState().labs?.[1]?.status).toBe('ready');
  });

  it('replays events that arrive while the list is loading, so a stale answer loses nothing', async () => {
    const { store, labs, fire, holdList } = setup();
    labs.set('lab1', lab('lab1', '2026-01-01T00:00:01.000Z'));
    labs.set('gone', lab('gone', '2026-01-01T00:00:01.000Z'));
    const release = holdList();
    const loading = store.getState().loadLabs();
    fire.change(lab('lab1', '2026-01-01T00:00:04.000Z', { status: 'ready' }));
    fire.remove('gone');
    await vi.waitFor(() => expect(store.getState().labs?.[0]?.status).toBe('ready'));
    release();
    await loading;
    expect(store.getState().labs?.map((l) => [l.name, l.status])).toEqual([['lab1', 'ready']]);
  });

  it('drops a removed lab with its logs, errors and open detail', async () => {
    const { store, labs, fire } = setup();
    labs.set('lab1', lab('lab1', '2026-01-01T00:00:01.000Z'));
    await store.getState().loadLabs();
    store.getState().openLabDetail('lab1');
    fire.append([line('hello', '2026-01-01T00:00:02.000Z')]);
    await vi.waitFor(() => expect(store.getState().labLogs.lab1).toHaveLength(1));
    fire.remove('lab1');
    await vi.waitFor(() => expect(store.getState().labs).toEqual([]));
    expect(store.getState().labLogs).toEqual({});
    expect(store.getState().openLab).toBeUndefined();
  });

  it('a delete that finishes before its answer arrives does not bring the lab back', async () => {
    const { store, labs, fire } = setup();
    labs.set('lab1', lab('lab1', '2026-01-01T00:00:01.000Z', { status: 'ready' }));
    await store.getState().loadLabs();
    const removing = store.getState().removeLab('lab1');
    expect(store.getState().labActions.lab1).toBe('removing');
    fire.remove('lab1');
    expect(await removing).toBe(true);
    expect(store.getState().labs).toEqual([]);
    expect(store.getState().labActions).toEqual({});
  });
});

describe('labs slice: logs', () => {
  it('merges the history from logs() with streamed lines, without doubles where they overlap', async () => {
    const { store, logs, fire, holdLogs } = setup();
    logs.push(line('one', 'T1'), line('two', 'T2'), line('three', 'T3'));
    const release = holdLogs();
    const loading = store.getState().loadLabLogs('lab1');
    // The service batches its events: "two" streams while the answer travels, "three" after it,
    // though both are in the answer already.
    fire.append([line('two', 'T2')]);
    await vi.waitFor(() => expect(store.getState().labLogs.lab1).toHaveLength(1));
    release();
    await loading;
    expect(store.getState().labLogs.lab1?.map((l) => l.text)).toEqual(['one', 'two', 'three']);
    fire.append([line('three', 'T3'), line('four', 'T4')]);
    fire.append([line('five', 'T5')]);
    await vi.waitFor(() => expect(store.getState().labLogs.lab1?.map((l) => l.text)).toEqual(['one', 'two', 'three', 'four', 'five']));
  });

  it(`keeps at most ${LAB_LOG_LIMIT} lines per lab, the newest`, async () => {
    const { store, fire } = setup();
    fire.append(Array.from({ length: LAB_LOG_LIMIT + 10 }, (_, i) => line(`l${i}`, `T${i}`)));
    await vi.waitFor(() => expect(store.getState().labLogs.lab1).toHaveLength(LAB_LOG_LIMIT));
    expect(store.getState().labLogs.lab1?.[0]?.text).toBe('l10');
  });
});

describe('labs slice: the plan form', () => {
  it('starts from defaultLabPlan() on the first host with an accepted key, with a free name', async () => {
    const { store, labs } = setup();
    labs.set('lab1', lab('lab1', 'T'));
    await store.getState().loadLabs();
    store.getState().startLabPlan();
    const draft = store.getState().labPlanForm!.draft;
    expect(draft).toMatchObject({
      name: 'lab2',
      hostId: 'h1',
      driver: 'libvirt',
      'apiEndpoint.host': 'lab2-api.lab.internal',
      baseImage: '/srv/vms/nestlab-base/jammy-server-cloudimg-amd64.img',
    });
  });

  it("fills the chosen host's next free ranges into the draft, keeping a field typed while the answer travelled", async () => {
    const { store, service } = setup();
    store.getState().startLabPlan();
    store.getState().editLabDraft('network.podCidr', '10.250.0.0/16');
    await vi.waitFor(() => expect(store.getState().labPlanForm?.networkProposal).toBeDefined());
    expect(service.proposeNetwork).toHaveBeenCalledWith('h1');
    expect(store.getState().labPlanForm!.draft).toMatchObject({
      'network.cidr': '192.168.151.0/24',
      'network.poolStart': '192.168.151.100',
      'apiEndpoint.address': '192.168.151.10',
      'network.podCidr': '10.250.0.0/16',
    });
    // Asked again (the form's button), the proposal replaces what is there.
    await store.getState().proposeLabNetwork();
    expect(store.getState().labPlanForm!.draft['network.podCidr']).toBe('10.244.0.0/16');
  });

  it('follows the host: Hyper-V and a Windows path for a Windows host; the endpoint follows the name', () => {
    const { store } = setup();
    store.getState().startLabPlan();
    store.getState().editLabDraft('hostId', 'win');
    store.getState().editLabDraft('name', 'demo');
    expect(store.getState().labPlanForm!.draft).toMatchObject({
      driver: 'hyperv',
      baseImage: 'D:\\VMs\\nestlab-base\\jammy-server-cloudimg-amd64.vhdx',
      'apiEndpoint.host': 'demo-api.lab.internal',
    });
    // A typed endpoint stays when the name changes again.
    store.getState().editLabDraft('apiEndpoint.host', '192.168.150.10');
    store.getState().editLabDraft('name', 'demo2');
    expect(store.getState().labPlanForm!.draft['apiEndpoint.host']).toBe('192.168.150.10');
  });

  it('says what to fix in the name and numbers before asking the service, keeping what was typed', async () => {
    const { store, service } = setup();
    store.getState().startLabPlan();
    store.getState().editLabDraft('name', 'Lab_1');
    store.getState().editLabDraft('sizes.controlPlane.cpus', 'two');
    await store.getState().checkLabPlan();
    expect(service.checkPlan).not.toHaveBeenCalled();
    const form = store.getState().labPlanForm!;
    expect(form.attempted).toBe(true);
    expect(form.draft.name).toBe('Lab_1');
    expect(form.draft['sizes.controlPlane.preset']).toBe('custom');
    expect(form.draft['sizes.controlPlane.cpus']).toBe('two');
  });

  it('shows a refused over-capacity check with its arithmetic and keeps the draft', async () => {
    const { store, service } = setup();
    store.getState().startLabPlan();
    store.getState().editLabDraft('linuxWorkers', 9);
    expect(await store.getState().createLab()).toBe(false);
    expect(service.create).not.toHaveBeenCalled();
    const form = store.getState().labPlanForm!;
    expect(form.check?.capacity[0]?.arithmetic).toContain('host reserve 2 GiB = 42 GiB');
    expect(form.draft.linuxWorkers).toBe(9);
    expect(form.busy).toBeUndefined();
  });

  it('puts each problem at its field; editing the field clears it', async () => {
    const { store } = setup();
    store.getState().startLabPlan();
    store.getState().editLabDraft('network.cidr', '10.9.0.0/24');
    await store.getState().checkLabPlan();
    expect(store.getState().labPlanForm!.serverErrors).toEqual({
      'network.cidr': "The lab network 10.9.0.0/24 overlaps the host's network on eth0. Use 192.168.150.0/24.",
    });
    store.getState().editLabDraft('network.cidr', '10.0.0.0/24');
    expect(store.getState().labPlanForm!.serverErrors).toEqual({});
  });

  it('a typed network moves the laid-out fields, except an endpoint address the user typed', () => {
    const { store } = setup();
    store.getState().startLabPlan();
    store.getState().editLabDraft('apiEndpoint.address', '192.168.150.20');
    store.getState().editLabDraft('network.cidr', '10.30.5.0/24');
    const { draft } = store.getState().labPlanForm!;
    expect(draft['apiEndpoint.address']).toBe('192.168.150.20');
    expect([draft['network.poolStart'], draft['network.loadBalancerEnd']]).toEqual(['10.30.5.100', '10.30.5.239']);
  });

  it('places a taken name at the name field; a started lab closes the form and opens the lab', async () => {
    const { store } = setup();
    store.getState().startLabPlan();
    store.getState().editLabDraft('name', 'taken');
    expect(await store.getState().createLab()).toBe(false);
    expect(store.getState().labPlanForm!.serverErrors.name).toBe('A lab named "taken" already exists.');

    store.getState().editLabDraft('name', 'fresh');
    expect(await store.getState().createLab()).toBe(true);
    expect(store.getState().labPlanForm).toBeUndefined();
    expect(store.getState().openLab).toBe('fresh');
    expect(store.getState().labs?.map((l) => l.name)).toEqual(['fresh']);
  });

  it('lists the dry run steps and their commands', async () => {
    const { store } = setup();
    store.getState().startLabPlan();
    await store.getState().dryRunLabPlan();
    expect(store.getState().labPlanForm!.dryRun?.[0]?.commands[0]?.display).toBe('virt-install --name x');
  });
});

describe('labs slice: cancel and resume', () => {
  it('shows a cancel in flight until the service has stopped the operation', async () => {
    const { store, labs, holdCancel } = setup();
    labs.set('lab1', lab('lab1', '2026-01-01T00:00:01.000Z'));
    await store.getState().loadLabs();
    const release = holdCancel();
    const cancelling = store.getState().cancelLab('lab1');
    expect(store.getState().labActions.lab1).toBe('cancelling');
    release();
    await cancelling;
    expect(store.getState().labActions).toEqual({});
  });

  it('resumes a failed lab; a lab with nothing to resume says so', async () => {
    const { store, labs } = setup();
    labs.set('lab1', lab('lab1', '2026-01-01T00:00:01.000Z', { status: 'failed' }));
    labs.set('lab2', lab('lab2', '2026-01-01T00:00:01.000Z', { status: 'ready' }));
    await store.getState().loadLabs();
    await store.getState().resumeLab('lab1');
    expect(store.getState().labs?.[0]).toMatchObject({ name: 'lab1', status: 'running' });
    await store.getState().resumeLab('lab2');
    expect(store.getState().labErrors.lab2?.message).toBe('Lab "lab2" has nothing to resume: its last operation finished.');
    expect(store.getState().labs?.[1]?.status).toBe('ready');
  });
});

describe('labs slice: node pools', () => {
  it('keeps a refused scale as the lab error; a started scale replaces the summary', async () => {
    const { store, labs } = setup();
    labs.set('lab1', lab('lab1', '2026-01-01T00:00:01.000Z', { status: 'ready' }));
    await store.getState().loadLabs();
    expect(await store.getState().scaleLab('lab1', { linuxWorkers: 9, windowsWorkers: 0 })).toBe(false);
    expect(store.getState().labErrors.lab1?.message).toBe('The host has no room for 4 more VM(s).');
    expect(await store.getState().scaleLab('lab1', { linuxWorkers: 3, windowsWorkers: 0 })).toBe(true);
    expect(store.getState().labErrors).toEqual({});
    expect(store.getState().labs?.[0]?.status).toBe('running');
  });
});

describe('labs slice: machine actions', () => {
  it('starts Maintain through the contract (the lab shows the machine operation), keeps a refusal as the lab’s machine error', async () => {
    const { store, labs, service } = setup();
    labs.set('lab1', lab('lab1', '2026-01-01T00:00:01.000Z', { status: 'ready' }));
    await store.getState().loadLabs();
    const starting = store.getState().runMachineAction('lab1', 'lab1-linux1', { action: 'maintain', deleteEmptyDirData: true });
    expect(store.getState().machineActionsInFlight.lab1).toEqual({ machine: 'lab1-linux1', action: 'maintain' });
    expect(await starting).toBe(true);
    expect(service.machineAction).toHaveBeenCalledWith('lab1', 'lab1-linux1', { action: 'maintain', deleteEmptyDirData: true });
    expect(store.getState().labs?.[0]).toMatchObject({ status: 'running', operation: { kind: 'maintain', machine: 'lab1-linux1' } });
    expect(store.getState().machineActionsInFlight).toEqual({});

    expect(await store.getState().runMachineAction('lab1', 'gone', { action: 'resume' })).toBe(false);
    expect(store.getState().machineActionErrors.lab1?.message).toBe('Lab "lab1" has no machine named "gone".');
    // The argument schema refuses an action the contract does not know before the service sees it.
    expect(await store.getState().runMachineAction('lab1', 'lab1-linux1', { action: 'reboot' as 'resume' })).toBe(false);
    expect(store.getState().machineActionErrors.lab1?.code).toBe('INVALID_ARGUMENT');
    expect(service.machineAction).toHaveBeenCalledTimes(2);
    store.getState().dismissMachineActionError('lab1');
    expect(store.getState().machineActionErrors).toEqual({});
  });

  it('loads the machines’ node states', async () => {
    const { store } = setup();
    await store.getState().loadMachineStatuses('lab1');
    expect(store.getState().machineStatuses.lab1).toEqual([{ name: 'lab1-cp1', node: { ready: true, unschedulable: true } }]);
  });
});
