import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppInstanceStatus, AppsService as AppsContract } from '../../../shared/contract/apps';
import type {
  BlueGreenPair,
  BlueGreenService as BlueGreenContract,
  BlueGreenSide,
  CreateGreenRequest,
  FrontDoorApp,
} from '../../../shared/contract/blue-green';
import type { HostSummary } from '../../../shared/contract/hosts';
import type { LabPlan, LabsService as LabsContract, LabSummary } from '../../../shared/contract/labs';
import { AppError } from '../../../shared/errors';
import { Emitter } from '../../../shared/event';
import type { Event } from '../../../shared/event';
import { writeFileAtomic } from '../../platform/atomic-file';
import { SerialQueue } from '../../platform/serial-queue';
import { allocateFrontDoorPorts, switchProblem } from './front-door-config';
import { applyFrontDoor, closeFrontDoor, frontDoorHost, hostListeningPorts } from './front-door';
import type { FrontDoorHosts } from './front-door';

export interface BlueGreenServiceOptions {
  /** Folder of blue-green.json. */
  dataDir: string;
  labs: Pick<LabsContract, 'get' | 'create' | 'proposeNetwork' | 'onDidChangeLab' | 'onDidRemoveLab'>;
  apps: Pick<AppsContract, 'list' | 'install' | 'scale'>;
  hosts: FrontDoorHosts & { get(hostId: string): Promise<HostSummary> };
  /** How long green's apps may take to get their LoadBalancer addresses (default 5 minutes). */
  addressTimeoutMs?: number;
  /** How often green's apps are read while waiting (default 2 s). */
  pollMs?: number;
  /** The first host port front doors take (default 18080; tests take a free one). */
  firstFrontDoorPort?: number;
}

/** The app's address:port from its Open URL (http://192.168.150.200/ -> 192.168.150.200:80). */
function backendOf(openUrl: string | undefined): { backend: string; scheme: 'http' | 'https'; path: string } | undefined {
  if (openUrl === undefined) return undefined;
  try {
    const url = new URL(openUrl);
    const scheme = url.protocol === 'https:' ? 'https' : 'http';
    const port = url.port === '' ? (scheme === 'https' ? 443 : 80) : Number(url.port);
    return { backend: `${url.hostname}:${port}`, scheme, path: `${url.pathname}${url.search}` };
  } catch {
    return undefined;
  }
}

const key = (app: { namespace: string; instance: string }) => `${app.namespace}/${app.instance}`;

/** The green lab's plan: blue's, with the new name, version, ranges and endpoint address. */
export function greenPlan(blue: LabPlan, request: CreateGreenRequest, network: LabPlan['network'], address: string): LabPlan {
  const byAddress = blue.apiEndpoint.host === blue.apiEndpoint.address;
  const { hostPort: _hostPort, ...endpoint } = blue.apiEndpoint;
  return {
    ...blue,
    name: request.green,
    kubernetesVersion: request.kubernetesVersion,
    network,
    // A new host port is allocated when the lab is created.
    apiEndpoint: { ...endpoint, host: byAddress ? address : `${request.green}-api.lab.internal`, address },
  };
}

/**
 * Blue/green pairs (see the contract): the green lab is made by LabsService, blue's catalog apps
 * are installed there by AppsService, and the front door is an HAProxy instance on the lab host.
 * Pairs are kept in <data>/blue-green.json; work of one pair runs one at a time.
 */
export class BlueGreenService implements BlueGreenContract {
  private readonly changeEmitter = new Emitter<BlueGreenPair>();
  private readonly removeEmitter = new Emitter<{ blue: string }>();
  readonly onDidChangePair: Event<BlueGreenPair> = this.changeEmitter.event;
  readonly onDidRemovePair: Event<{ blue: string }> = this.removeEmitter.event;

  private readonly path: string;
  private readonly queue = new SerialQueue();
  private pairs: Promise<Map<string, BlueGreenPair>>;
  /** Pairs with work in the background (copying apps, opening, switching). */
  private readonly busy = new Map<string, Promise<void>>();
  private readonly subscriptions: { dispose(): void }[] = [];
  private disposed = false;

  constructor(private readonly options: BlueGreenServiceOptions) {
    this.path = join(options.dataDir, 'blue-green.json');
    this.pairs = this.load();
    void this.pairs.then((pairs) => this.catchUp([...pairs.values()]));
    this.subscriptions.push(
      options.labs.onDidChangeLab((lab) => void this.labChanged(lab)),
      options.labs.onDidRemoveLab(({ name }) => void this.labRemoved(name)),
    );
  }

  private async load(): Promise<Map<string, BlueGreenPair>> {
    try {
      const pairs = JSON.parse(await readFile(this.path, 'utf8')) as BlueGreenPair[];
      // Work that ran when the app stopped is picked up again by prepare().
      return new Map(
        pairs.map((pair) => [
          pair.blue,
          ['copying-apps', 'opening', 'switching'].includes(pair.state)
            ? { ...pair, state: 'failed' as const, detail: 'Nestlab stopped during this step; prepare the pair again.' }
            : pair,
        ]),
      );
    } catch {
      return new Map();
    }
  }

  /** Change a pair, persist every pair, tell the window. */
  private async update(blue: string, change: (pair: BlueGreenPair) => void): Promise<BlueGreenPair> {
    return this.queue.run(async () => {
      const pairs = await this.pairs;
      const pair = pairs.get(blue);
      if (pair === undefined) throw new AppError('NOT_FOUND', `There is no blue/green pair of lab "${blue}".`);
      change(pair);
      pair.updatedAt = new Date().toISOString();
      await writeFileAtomic(this.path, `${JSON.stringify([...pairs.values()], null, 2)}\n`, { mode: 0o600 });
      const copy = structuredClone(pair);
      if (!this.disposed) this.changeEmitter.fire(copy);
      return copy;
    });
  }

  async list(): Promise<BlueGreenPair[]> {
    return [...(await this.pairs).values()].map((pair) => structuredClone(pair));
  }

  private async pair(blue: string): Promise<BlueGreenPair> {
    const pair = (await this.pairs).get(blue);
    if (pair === undefined) {
      throw new AppError('NOT_FOUND', `There is no blue/green pair of lab "${blue}".`, { fix: 'Create a green lab from it first.' });
    }
    return structuredClone(pair);
  }

  async createGreen(request: CreateGreenRequest): Promise<BlueGreenPair> {
    const pairs = await this.pairs;
    if (pairs.has(request.blue)) {
      throw new AppError('ALREADY_EXISTS', `Lab "${request.blue}" already has a green lab (${pairs.get(request.blue)?.green ?? ''}).`, {
        fix: 'Remove that pair first (its labs stay).',
      });
    }
    const blue = await this.options.labs.get(request.blue);
    const problem =
      blue.status !== 'ready'
        ? `Lab "${blue.name}" is ${blue.status}: a green lab is made from a ready lab.`
        : blue.plan.driver !== 'libvirt'
          ? `Lab "${blue.name}" runs on a ${blue.plan.driver === 'hyperv' ? 'Hyper-V' : 'machine'} host: the front door is HAProxy on a Linux libvirt host.`
          : blue.context === undefined
            ? `Lab "${blue.name}" has no saved context yet, so its apps cannot be read.`
            : blue.plan.kubernetesVersion === request.kubernetesVersion
              ? `The green lab must run another Kubernetes version than ${blue.plan.kubernetesVersion}.`
              : undefined;
    if (problem !== undefined) throw new AppError('INVALID_ARGUMENT', problem, { field: 'kubernetesVersion' });
    const proposal = await this.options.labs.proposeNetwork(blue.hostId, request.green);
    const plan = greenPlan(blue.plan, request, proposal.network, proposal.apiEndpointAddress);
    const created = await this.options.labs.create(plan);
    if (created.status === 'refused') {
      const problems = created.check.problems;
      const lines = [...problems.map((p) => `${p.message} ${p.fix}`), ...created.check.capacity.filter((l) => !l.ok).map((l) => l.summary)];
      throw new AppError('INVALID_ARGUMENT', `The green lab was refused: ${lines.join(' ')}`, { problems });
    }
    const now = new Date().toISOString();
    const pair: BlueGreenPair = {
      blue: blue.name,
      green: plan.name,
      hostId: blue.hostId,
      blueVersion: blue.plan.kubernetesVersion,
      greenVersion: plan.kubernetesVersion,
      active: 'blue',
      state: 'creating-green',
      detail: `Provisioning ${plan.name} (Kubernetes ${plan.kubernetesVersion}); its progress is in its lab view.`,
      apps: [],
      deleted: [],
      createdAt: now,
      updatedAt: now,
    };
    pairs.set(pair.blue, pair);
    return this.update(pair.blue, () => undefined);
  }

  /** A green lab that became ready while Nestlab was not running gets its apps now. */
  private async catchUp(pairs: readonly BlueGreenPair[]): Promise<void> {
    for (const pair of pairs.filter((candidate) => candidate.state === 'creating-green')) {
      const green = await this.options.labs.get(pair.green).catch(() => undefined);
      if (green !== undefined) await this.labChanged(green);
    }
  }

  /** Green became ready: copy the apps and open the front door (once). */
  private async labChanged(lab: LabSummary): Promise<void> {
    const pair = [...(await this.pairs).values()].find((candidate) => candidate.green === lab.name);
    if (pair?.state !== 'creating-green' || this.busy.has(pair.blue)) return;
    if (lab.status === 'ready' && lab.operation?.kind === 'provision') {
      void this.startPrepare(pair.blue);
    } else if (['failed', 'cancelled', 'interrupted'].includes(lab.status) && !pair.detail?.startsWith('The green lab stopped')) {
      await this.update(pair.blue, (next) => {
        next.detail = `The green lab stopped (${lab.status}): resume ${lab.name} in its lab view; the apps follow once it is ready.`;
      });
    }
  }

  private async labRemoved(name: string): Promise<void> {
    const pair = [...(await this.pairs).values()].find((candidate) => candidate.blue === name || candidate.green === name);
    if (pair === undefined) return;
    const side: BlueGreenSide = pair.blue === name ? 'blue' : 'green';
    await this.update(pair.blue, (next) => {
      if (!next.deleted.includes(side)) next.deleted.push(side);
      if (next.state === 'creating-green' && side === 'green') {
        next.state = 'failed';
        next.detail = `The green lab ${name} was deleted; remove this pair.`;
      }
    });
  }

  async prepare(blue: string): Promise<BlueGreenPair> {
    const pair = await this.pair(blue);
    if (this.busy.has(blue)) throw new AppError('CONFLICT', `The pair of lab "${blue}" is busy (${pair.state}). Wait for it.`);
    const green = await this.options.labs.get(pair.green);
    if (green.status !== 'ready') {
      throw new AppError('INVALID_ARGUMENT', `Lab "${green.name}" is ${green.status}: resume it first; the apps follow once it is ready.`);
    }
    return this.startPrepare(blue);
  }

  private startPrepare(blue: string): Promise<BlueGreenPair> {
    const started = this.update(blue, (next) => {
      next.state = 'copying-apps';
      next.detail = `Installing the apps of ${next.blue} in ${next.green}.`;
      delete next.error;
    });
    const work = started
      .then(() => this.copyAndOpen(blue))
      .catch(async (error: unknown) => {
        const failure = AppError.from(error);
        await this.update(blue, (next) => {
          next.state = 'failed';
          next.error = failure.toJSON();
          next.detail = failure.message;
        }).catch(() => undefined);
      })
      .finally(() => this.busy.delete(blue));
    this.busy.set(blue, work);
    return started;
  }

  private async contextOf(lab: string): Promise<string> {
    const summary = await this.options.labs.get(lab);
    if (summary.context === undefined) throw new AppError('NOT_FOUND', `Lab "${lab}" has no saved context yet.`);
    return summary.context;
  }

  /** Install blue's apps missing in green (at blue's replica counts), wait for their addresses, open the front door. */
  private async copyAndOpen(blueName: string): Promise<void> {
    const pair = await this.pair(blueName);
    const { apps } = this.options;
    const [blueContext, greenContext] = [await this.contextOf(pair.blue), await this.contextOf(pair.green)];
    const blueApps = await apps.list(blueContext);
    const present = new Set((await apps.list(greenContext)).map(key));
    for (const app of blueApps.filter((candidate) => !present.has(key(candidate)))) {
      const result = await apps.install({ context: greenContext, namespace: app.namespace, appId: app.appId, instance: app.instance });
      if (result.status === 'refused') {
        const why = result.preflight.problems
          .filter((problem) => problem.blocking)
          .map((problem) => `${problem.message} ${problem.fix ?? ''}`);
        throw new AppError('INVALID_ARGUMENT', `${key(app)} could not be installed in ${pair.green}: ${why.join(' ')}`, {
          problems: result.preflight.problems,
        });
      }
      for (const deployment of app.deployments) {
        await apps.scale(greenContext, app.namespace, app.instance, deployment.name, deployment.desired);
      }
    }
    const served = blueApps.filter((app) => backendOf(app.openUrl) !== undefined);
    await this.update(blueName, (next) => {
      next.detail = `Waiting for the LoadBalancer addresses of ${served.length} app(s) in ${next.green}.`;
    });
    const greenApps = await this.greenAddresses(greenContext, served);
    const host = await this.options.hosts.get(pair.hostId);
    const runner = frontDoorHost(this.options.hosts, pair.hostId);
    const known = new Map(pair.apps.map((app) => [key(app), app]));
    const taken = new Set([...(await hostListeningPorts(runner)), ...(await this.portsOfOtherPairs(pair))]);
    const fresh = allocateFrontDoorPorts(served.filter((app) => !known.has(key(app))).length, taken, this.options.firstFrontDoorPort);
    const frontApps: FrontDoorApp[] = served.map((app) => {
      const blueBackend = backendOf(app.openUrl)!;
      const greenBackend = backendOf(greenApps.get(key(app)));
      const hostPort = known.get(key(app))?.hostPort ?? fresh.shift()!;
      return {
        namespace: app.namespace,
        instance: app.instance,
        appId: app.appId,
        scheme: blueBackend.scheme,
        path: blueBackend.path,
        hostPort,
        backends: { blue: blueBackend.backend, ...(greenBackend === undefined ? {} : { green: greenBackend.backend }) },
        url: `${blueBackend.scheme}://${host.address}:${hostPort}${blueBackend.path}`,
      };
    });
    const opening = await this.update(blueName, (next) => {
      next.state = 'opening';
      next.apps = frontApps;
      next.detail = `Opening the front door on ${host.name} (${frontApps.length} app(s)).`;
    });
    await applyFrontDoor(runner, opening);
    const unserved = blueApps.filter((app) => !served.includes(app)).map(key);
    const waiting = frontApps.filter((app) => app.backends.green === undefined).map(key);
    await this.update(blueName, (next) => {
      next.state = 'ready';
      const notes = [
        unserved.length > 0 ? `Not behind the front door (no LoadBalancer address in ${next.blue}): ${unserved.join(', ')}.` : '',
        waiting.length > 0 ? `No address in ${next.green} yet: ${waiting.join(', ')}; prepare again once they have one.` : '',
      ].filter((note) => note !== '');
      if (notes.length > 0) next.detail = notes.join(' ');
      else delete next.detail;
    });
  }

  /** Green's Open URLs of the served apps, waiting until each has one or the time is up. */
  private async greenAddresses(context: string, served: readonly AppInstanceStatus[]): Promise<Map<string, string | undefined>> {
    const deadline = Date.now() + (this.options.addressTimeoutMs ?? 300_000);
    for (;;) {
      const found = new Map((await this.options.apps.list(context)).map((app) => [key(app), app.openUrl]));
      if (served.every((app) => found.get(key(app)) !== undefined) || Date.now() >= deadline || this.disposed) return found;
      await new Promise((resolve) => setTimeout(resolve, this.options.pollMs ?? 2000));
    }
  }

  private async portsOfOtherPairs(pair: BlueGreenPair): Promise<number[]> {
    return [...(await this.pairs).values()]
      .filter((other) => other.hostId === pair.hostId && other.blue !== pair.blue)
      .flatMap((other) => other.apps.map((app) => app.hostPort));
  }

  async switchTo(blue: string, side: BlueGreenSide): Promise<BlueGreenPair> {
    const pair = await this.pair(blue);
    if (this.busy.has(blue)) throw new AppError('CONFLICT', `The pair of lab "${blue}" is busy (${pair.state}). Wait for it.`);
    const problem = pair.state === 'ready' || pair.state === 'failed' ? switchProblem(pair, side) : `The pair is ${pair.state}.`;
    if (problem !== undefined) throw new AppError('INVALID_ARGUMENT', problem, { side });
    let release = () => undefined as void;
    this.busy.set(blue, new Promise<void>((resolve) => (release = resolve)));
    try {
      await this.update(blue, (next) => {
        next.state = 'switching';
        next.detail = `Switching the front door to ${side === 'blue' ? next.blue : next.green} (${side}).`;
      });
      try {
        await applyFrontDoor(frontDoorHost(this.options.hosts, pair.hostId), { ...pair, active: side });
      } catch (error) {
        const failure = AppError.from(error);
        // The running configuration was left as it was: the front door still serves the old side.
        await this.update(blue, (next) => {
          next.state = 'ready';
          next.error = failure.toJSON();
          next.detail = `The switch to ${side} failed; the front door still serves ${next.active}.`;
        });
        throw failure;
      }
      return await this.update(blue, (next) => {
        next.active = side;
        next.state = 'ready';
        delete next.error;
        delete next.detail;
      });
    } finally {
      this.busy.delete(blue);
      release();
    }
  }

  async remove(blue: string): Promise<void> {
    const pair = await this.pair(blue);
    await this.busy.get(blue);
    await closeFrontDoor(frontDoorHost(this.options.hosts, pair.hostId), blue);
    await this.queue.run(async () => {
      const pairs = await this.pairs;
      pairs.delete(blue);
      await writeFileAtomic(this.path, `${JSON.stringify([...pairs.values()], null, 2)}\n`, { mode: 0o600 });
    });
    this.removeEmitter.fire({ blue });
  }

  /** Test and main-process use: resolves when the pair's background work has settled. */
  async whenSettled(blue: string): Promise<void> {
    await this.busy.get(blue);
  }

  dispose(): void {
    this.disposed = true;
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changeEmitter.dispose();
    this.removeEmitter.dispose();
  }
}
