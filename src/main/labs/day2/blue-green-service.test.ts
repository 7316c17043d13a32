import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppInstanceStatus, DeployRequest, InstallResult } from '../../../shared/contract/apps';
import type { HostSummary } from '../../../shared/contract/hosts';
import type { CreateLabResult, LabPlan, LabSummary, NetworkProposal } from '../../../shared/contract/labs';
import { AppError } from '../../../shared/errors';
import { Emitter } from '../../../shared/event';
import { buildCommand } from '../../hosts/shell-quote';
import type { ExecOptions, ExecResult } from '../../hosts/ssh-connection';
import { testPlan } from '../test-plans';
import { BlueGreenService } from './blue-green-service';
import { tempDir } from '../../../../tests/harness/temp-dir';

/** A lab host that keeps files and unit states the way the commands change them, and records each command. */
class RecordingHost {
  readonly commands: string[] = [];
  readonly files = new Map<string, string>();
  readonly active = new Set<string>();
  /** What `haproxy -c` answers. */
  refuse = false;
  listening = 'LISTEN 0 4096 0.0.0.0:18080 0.0.0.0:*\n';

  private answer(argv: readonly string[], options: ExecOptions): ExecResult {
    const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
    const fail = (code = 1, stderr = ''): ExecResult => ({ exitCode: code, stdout: '', stderr });
    const [program, ...args] = argv;
    if (program === 'cat') return this.files.has(args[1]!) ? ok(this.files.get(args[1]!)) : fail();
    if (program === 'test') return args[0] === '-e' ? (this.files.has(args[1]!) ? ok() : fail()) : ok();
    if (program === 'ss') {
      const port = /^sport = :(\d+)$/.exec(args[1] ?? '')?.[1];
      return ok(
        port === undefined
          ? this.listening
          : this.listening
              .split('\n')
              .filter((line) => line.includes(`:${port} `))
              .join('\n'),
      );
    }
    if (program === 'sh') {
      this.files.set(args[3]!, String(options.stdin));
      return ok();
    }
    if (program === 'mv') {
      this.files.set(args[3]!, this.files.get(args[2]!)!);
      this.files.delete(args[2]!);
      return ok();
    }
    if (program === 'rm') {
      for (const path of args.slice(2)) this.files.delete(path);
      return ok();
    }
    if (program === '/usr/sbin/haproxy') return this.refuse ? fail(1, '[ALERT] config : parsing error') : ok();
    if (program === 'systemctl') {
      const unit = args.at(-1)!;
      if (args[0] === 'is-active') return this.active.has(unit) ? ok() : fail(3);
      if (args[0] === 'is-enabled') return this.active.has(unit) ? ok() : fail(1);
      if (args[0] === 'enable') this.active.add(unit);
      if (args[0] === 'disable') this.active.delete(unit);
      return ok();
    }
    throw new Error(`unexpected command ${argv.join(' ')}`);
  }

  run = (_hostId: string, argv: readonly string[], options: ExecOptions = {}) => {
    this.commands.push(buildCommand(argv));
    return Promise.resolve(this.answer(argv, options));
  };

  runAsRoot = (_hostId: string, argv: readonly string[], options: ExecOptions = {}) => {
    this.commands.push(buildCommand(['sudo', ...argv]));
    return Promise.resolve(this.answer(argv, options));
  };

  get = (): Promise<HostSummary> => Promise.resolve({ id: 'host-1', name: 'kvm-lab', address: '10.0.0.5' } as HostSummary);
}

function labSummary(plan: LabPlan, status: LabSummary['status']): LabSummary {
  return {
    name: plan.name,
    hostId: plan.hostId,
    status,
    plan,
    machines: [],
    context: plan.name,
    operation: { kind: 'provision', steps: [], progress: 1, startedAt: '', elapsedMs: 0, remainingMs: 0 },
    createdAt: '',
    updatedAt: '',
  };
}

function appStatus(context: string, openUrl: string | undefined, instance = 'vote'): AppInstanceStatus {
  return {
    context,
    namespace: 'default',
    instance,
    appId: 'azure-vote',
    title: 'Azure Vote',
    deployments: [{ name: 'azure-vote-front', desired: 2, ready: 2, updated: 2, runningPods: 2, pendingPods: 0 }],
    services: [],
    ...(openUrl === undefined ? {} : { openUrl }),
    replicaRanges: {},
    ready: true,
    objects: [],
  };
}

const blue = testPlan({ name: 'blue', kubernetesVersion: '1.29.12', windowsWorkers: 0 });
let dataDir: string;
let host: RecordingHost;
let labsChanged: Emitter<LabSummary>;
let labs: Map<string, LabSummary>;
let created: LabPlan[];
let installed: Map<string, AppInstanceStatus[]>;
let refusedPlan: CreateLabResult | undefined;
let service: BlueGreenService;

beforeEach(async () => {
  dataDir = await tempDir('bg');
  host = new RecordingHost();
  labsChanged = new Emitter<LabSummary>();
  labs = new Map([['blue', labSummary(blue, 'ready')]]);
  created = [];
  refusedPlan = undefined;
  installed = new Map([
    ['blue', [appStatus('blue', 'http://192.168.150.200/'), appStatus('blue', undefined, 'cli')]],
    ['green', []],
  ]);
  service = newService();
});

function newService(): BlueGreenService {
  return new BlueGreenService({
    dataDir,
    hosts: host,
    pollMs: 1,
    addressTimeoutMs: 200,
    labs: {
      get: (name) => (labs.has(name) ? Promise.resolve(labs.get(name)!) : Promise.reject(new AppError('NOT_FOUND', `no ${name}`))),
      proposeNetwork: (): Promise<NetworkProposal> =>
        Promise.resolve({
          hostId: 'host-1',
          network: { ...blue.network, cidr: '192.168.151.0/24' },
          apiEndpointAddress: '192.168.151.10',
          taken: [],
        }),
      create: (plan) => {
        if (refusedPlan !== undefined) return Promise.resolve(refusedPlan);
        created.push(plan);
        labs.set(plan.name, labSummary(plan, 'running'));
        return Promise.resolve({ status: 'started', lab: labSummary(plan, 'running') });
      },
      onDidChangeLab: labsChanged.event,
      onDidRemoveLab: new Emitter<{ name: string }>().event,
    },
    apps: {
      list: (context) => Promise.resolve(installed.get(context) ?? []),
      install: (request: DeployRequest): Promise<InstallResult> => {
        const app = appStatus(request.context, 'http://192.168.151.200/', request.instance);
        installed.get(request.context)?.push(app);
        return Promise.resolve({
          status: 'installed',
          app,
          preflight: { ok: true, readyNodes: [], createsNamespace: false, images: [], problems: [] },
        });
      },
      scale: () => Promise.resolve(),
    },
  });
}

afterEach(() => {
  service.dispose();
});

/** Make green, let it become ready, and wait for the pair to be prepared. */
async function readyPair() {
  await service.createGreen({ blue: 'blue', green: 'green', kubernetesVersion: '1.30.8' });
  const green = { ...labs.get('green')!, status: 'ready' as const };
  labs.set('green', green);
  labsChanged.fire(green);
  await Promise.resolve();
  await service.whenSettled('blue');
  return (await service.list())[0]!;
}

describe('blue/green pairs', () => {
  it('makes green from blue at the new version with the next ranges, copies the apps and opens the front door on blue', async () => {
    const pair = await readyPair();
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      name: 'green',
      kubernetesVersion: '1.30.8',
      network: { cidr: '192.168.151.0/24' },
      apiEndpoint: { host: 'green-api.lab.internal', port: 6443, address: '192.168.151.10' },
    });
    expect(created[0]!.apiEndpoint.hostPort).toBeUndefined();
    expect(pair).toMatchObject({ state: 'ready', active: 'blue' });
    // The app without an address in blue is copied but not behind the front door; 18080 is taken on the host.
    expect(installed.get('green')!.map((app) => app.instance)).toEqual(['vote', 'cli']);
    expect(pair.apps).toEqual([
      expect.objectContaining({
        hostPort: 18081,
        url: 'http://10.0.0.5:18081/',
        backends: { blue: '192.168.150.200:80', green: '192.168.151.200:80' },
      }),
    ]);
    expect(pair.detail).toBe('Not behind the front door (no LoadBalancer address in blue): default/cli.');
    expect(host.commands).toMatchSnapshot();
    expect(JSON.parse(await readFile(join(dataDir, 'blue-green.json'), 'utf8'))).toHaveLength(1);
  });

  it('switches with a checked configuration and a reload, and back', async () => {
    await readyPair();
    host.commands.length = 0;
    expect(await service.switchTo('blue', 'green')).toMatchObject({ active: 'green', state: 'ready' });
    expect(host.commands).toMatchSnapshot();
    expect(host.files.get('/etc/haproxy/nestlab/blue_front-door.cfg')).toContain('    server green 192.168.151.200:80\n');
    expect(await service.switchTo('blue', 'blue')).toMatchObject({ active: 'blue' });
    expect(host.files.get('/etc/haproxy/nestlab/blue_front-door.cfg')).toContain('    server green 192.168.151.200:80 disabled\n');
  });

  it('keeps serving the old side when HAProxy refuses the new configuration', async () => {
    await readyPair();
    host.refuse = true;
    const before = host.files.get('/etc/haproxy/nestlab/blue_front-door.cfg');
    await expect(service.switchTo('blue', 'green')).rejects.toMatchObject({
      code: 'PROGRAM_FAILED',
      message: expect.stringMatching(/^HAProxy refused the configuration of the front door of labs blue and green: /),
    });
    expect(host.files.get('/etc/haproxy/nestlab/blue_front-door.cfg')).toBe(before);
    expect(host.commands.filter((line) => line.includes('systemctl reload'))).toEqual([]);
    expect((await service.list())[0]).toMatchObject({
      active: 'blue',
      state: 'ready',
      detail: 'The switch to green failed; the front door still serves blue.',
    });
  });

  it('refuses what cannot work, naming why', async () => {
    await expect(service.createGreen({ blue: 'blue', green: 'green', kubernetesVersion: '1.29.12' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'The green lab must run another Kubernetes version than 1.29.12.',
    });
    labs.set('hv', labSummary(testPlan({ name: 'hv', driver: 'hyperv' }), 'ready'));
    await expect(service.createGreen({ blue: 'hv', green: 'hv2', kubernetesVersion: '1.29.12' })).rejects.toMatchObject({
      message: 'Lab "hv" runs on a Hyper-V host: the front door is HAProxy on a Linux libvirt host.',
    });
    refusedPlan = {
      status: 'refused',
      check: {
        ok: false,
        problems: [{ field: 'name', message: 'A lab named "green" already exists.', fix: 'Choose another name.' }],
        capacity: [],
      },
    };
    await expect(service.createGreen({ blue: 'blue', green: 'green', kubernetesVersion: '1.30.8' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'The green lab was refused: A lab named "green" already exists. Choose another name.',
    });
    refusedPlan = undefined;
    await service.createGreen({ blue: 'blue', green: 'green', kubernetesVersion: '1.30.8' });
    // Green is still provisioning: nothing to switch to.
    await expect(service.switchTo('blue', 'green')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'The pair is creating-green.',
    });
  });

  it('does not switch to a side whose app has no address yet', async () => {
    installed.set('green', [appStatus('green', undefined)]);
    const pair = await readyPair();
    expect(pair.detail).toMatch(/No address in green yet: default\/vote/);
    await expect(service.switchTo('blue', 'green')).rejects.toMatchObject({
      message: 'These apps have no address in green yet: default/vote. Prepare the pair again once they have one.',
    });
  });

  it('prepares a pair whose green lab became ready while Nestlab was not running', async () => {
    await service.createGreen({ blue: 'blue', green: 'green', kubernetesVersion: '1.30.8' });
    service.dispose();
    labs.set('green', { ...labs.get('green')!, status: 'ready' });
    service = newService();
    await expect.poll(async () => (await service.list())[0]?.state).toBe('ready');
    expect(installed.get('green')!.map((app) => app.instance)).toEqual(['vote', 'cli']);
  });

  it('removes the front door and forgets the pair, the labs staying', async () => {
    await readyPair();
    await service.remove('blue');
    expect(await service.list()).toEqual([]);
    expect(host.active.size).toBe(0);
    expect(host.files.has('/etc/haproxy/nestlab/blue_front-door.cfg')).toBe(false);
    expect(labs.has('blue') && labs.has('green')).toBe(true);
  });
});
