/**
 * The restore of an etcd snapshot (kubeadm), after upstream's "Restoring an etcd cluster": stop
 * every API server (and etcd: kubeadm's static pod manifests are set aside, so the kubelet stops
 * them), restore every member's data dir from the same snapshot (the old one kept beside it),
 * start etcd and then the API servers, and check that the objects the snapshot saved are back.
 */
import type { LabMachine, LabPlan } from '../../../shared/contract/labs';
import { AppError } from '../../../shared/errors';
import { adminKubectl } from '../bootstrap';
import { done, skipped } from '../step-context';
import type { StepContext } from '../step-context';
import type { StepDefinition } from '../step-planner';
import {
  API_COMPONENTS,
  etcdClient,
  ensureEtcdctl,
  etcdctl,
  etcdMachines,
  firstControlPlane,
  freePath,
  hostDigest,
  MANIFESTS,
  members,
  pathExists,
  PAUSED,
  step,
  vmDigest,
  WORK_DIR,
} from './etcd-cluster';
import type { EtcdClient, EtcdMember, EtcdOperationRequest, EtcdStepsEnvironment } from './etcd-cluster';
import { parseKeys, sendToVmArgv, shelfDir, snapshotFiles } from './etcd-shelf';

/** Static pod manifests a machine has (in place or set aside) among `names`. */
function componentsOf(plan: LabPlan, machine: LabMachine): string[] {
  const names: string[] = [];
  if (machine.role === 'control-plane') names.push(...API_COMPONENTS);
  if (etcdMachines(plan, [machine]).length > 0) names.push('etcd');
  return names;
}

async function moveManifests(ctx: StepContext, machine: LabMachine, names: readonly string[], from: string, to: string): Promise<number> {
  let moved = 0;
  await ctx.vm(machine, { argv: ['mkdir', '-p', '-m', '700', to] }, { root: true });
  for (const name of names) {
    const source = `${from}/${name}.yaml`;
    if ((await ctx.observeVm(machine, { argv: ['test', '-f', source] }, { root: true })).exitCode !== 0) continue;
    await ctx.vm(machine, { argv: ['mv', '-f', '--', source, `${to}/${name}.yaml`] }, { root: true });
    moved += 1;
  }
  return moved;
}

/** etcd answers at `member`'s client URL (from the first control plane, with the API server's certificate). */
async function healthy(ctx: StepContext, first: LabMachine, client: EtcdClient, member: EtcdMember): Promise<boolean> {
  const result = await ctx.observeVm(
    first,
    { argv: etcdctl(client, member.clientUrl, '--command-timeout=3s', 'endpoint', 'health') },
    { root: true },
  );
  return result.exitCode === 0;
}

/** Where a restore keeps its copy of the snapshot on a machine. */
export const restoredCopy = (snapshot: string) => `${WORK_DIR}/etcd-restore-${snapshot}.db`;
/** Left on a member once its data dir holds the snapshot's (removed by the final check). */
const restoredMark = (snapshot: string) => `${WORK_DIR}/etcd-restore-${snapshot}.restored`;

/**
 * A step that copies snapshot `name` from the host to `machine` (restoredCopy), checked by SHA-256.
 * `find` says where the machine already has it (by default: a whole earlier copy), and the step is then skipped.
 */
export function snapshotCopyStep(
  env: EtcdStepsEnvironment,
  machine: LabMachine,
  name: string,
  find: (ctx: StepContext, wanted: string) => Promise<string | undefined> = async (ctx, wanted) =>
    (await vmDigest(ctx, machine, restoredCopy(name))) === wanted ? restoredCopy(name) : undefined,
): StepDefinition {
  return step(
    'prepare',
    `etcd-restore-copy:${machine.name}`,
    `Copy ${name} to ${machine.name}`,
    10_000,
    async (ctx) => {
      const files = snapshotFiles(shelfDir(ctx.plan), name);
      const wanted = await hostDigest(ctx, files.db);
      if (wanted === undefined && !ctx.dry) {
        throw new AppError('NOT_FOUND', `Snapshot ${name} is not on the host (${files.db}).`, { fix: 'Pick a snapshot from the list.' });
      }
      const found = wanted === undefined ? undefined : await find(ctx, wanted);
      if (found !== undefined) return skipped(`${machine.name} has it (${found})`);
      await ctx.vm(machine, { argv: ['mkdir', '-p', '-m', '700', WORK_DIR] }, { root: true });
      await ctx.host(
        sendToVmArgv(
          env.driver,
          machine.address ?? `<address of ${machine.name}>`,
          `sudo -n -- install -m 600 /dev/stdin ${restoredCopy(name)}`,
          files.db,
        ),
        { timeoutMs: 1_800_000 },
      );
      if (!ctx.dry && (await vmDigest(ctx, machine, restoredCopy(name))) !== wanted) {
        throw new AppError('PROGRAM_FAILED', `The copy of ${name} on ${machine.name} differs from the one on the host.`, {
          fix: `Check the free space on ${machine.name}, then resume.`,
        });
      }
      return done();
    },
    machine.name,
  );
}

/** Waits until the API server answers /readyz through `kubectl` on `first` (the lab is usable again then). */
export async function waitForApiServer(ctx: StepContext, first: LabMachine, kubectl: (...args: string[]) => string[]): Promise<void> {
  await ctx.waitFor(
    'the API server to answer after the restore',
    async () => {
      const ready = await ctx.observeVm(first, { argv: kubectl('get', '--raw', '/readyz') }, { root: true, timeoutMs: 30_000 });
      return ready.exitCode === 0 && ready.stdout.trim() === 'ok' ? true : undefined;
    },
    { timeoutMs: 600_000, intervalMs: 2_000, placeholder: true },
  );
}

/**
 * Checks that the objects snapshot `name` saved (its .keys on the host) are in etcd now, read
 * with `client` on `machine`; throws naming what is missing, with `kept` (where the old data is)
 * in the fix. Answers what it checked.
 */
export async function checkObjectsBack(
  ctx: StepContext,
  machine: LabMachine,
  client: EtcdClient,
  name: string,
  kept: string,
): Promise<string> {
  const files = snapshotFiles(shelfDir(ctx.plan), name);
  const listed = await ctx.observeHost(['cat', '--', files.keys], { secretOutput: true });
  if (listed.exitCode !== 0 && !ctx.dry) {
    return `${name} has no list of the objects it saved (etcdctl was missing when it was taken): the objects were not compared`;
  }
  const saved = parseKeys(listed.stdout);
  await ensureEtcdctl(ctx, machine);
  const now = new Set(
    parseKeys(
      (
        await ctx.vm(
          machine,
          { argv: etcdctl(client, client.endpoints[0] ?? '', 'get', '/registry/', '--prefix', '--keys-only') },
          { root: true, secretOutput: true },
        )
      ).stdout,
    ),
  );
  const missing = saved.filter((key) => !now.has(key));
  if (missing.length > 0 && !ctx.dry) {
    throw new AppError(
      'PROGRAM_FAILED',
      `${missing.length} of the ${saved.length} objects ${name} saved are not back, e.g. ${missing.slice(0, 3).join(', ')}.`,
      { fix: `Look at the restore steps in the log; ${kept}.` },
    );
  }
  return `all ${saved.length} saved objects are back`;
}

/** The steps of an 'etcd-restore' operation of a kubeadm lab (k3s: etcd-restore-k3s.ts). */
export function etcdRestoreSteps(
  plan: LabPlan,
  machines: readonly LabMachine[],
  request: EtcdOperationRequest,
  env: EtcdStepsEnvironment,
): StepDefinition[] {
  const name = request.snapshot;
  const holders = etcdMachines(plan, machines);
  const copies = holders.map((machine) => snapshotCopyStep(env, machine, name));
  const stop = step(
    'cordon',
    'etcd-restore-stop',
    'Stop the API servers and etcd (their static pod manifests set aside)',
    60_000,
    async (ctx) => {
      const first = firstControlPlane(ctx);
      const client = await etcdClient(ctx, first);
      const etcd = await members(ctx);
      let moved = 0;
      for (const machine of ctx.machines) {
        const names = componentsOf(ctx.plan, machine);
        if (names.length > 0) moved += await moveManifests(ctx, machine, names, MANIFESTS, PAUSED);
      }
      for (const [index, member] of etcd.entries()) {
        ctx.progress((index + 1) / (etcd.length + 1), `waiting for etcd on ${member.machine.name} to stop`);
        await ctx.waitFor(
          `etcd on ${member.machine.name} to stop`,
          async () => ((await healthy(ctx, first, client, member)) ? undefined : true),
          {
            timeoutMs: 180_000,
            intervalMs: 1_000,
            placeholder: true,
          },
        );
      }
      return done(moved === 0 ? 'already stopped' : `${moved} static pods stopped`);
    },
  );
  const restores = holders.map((machine) =>
    step(
      'etcd',
      `etcd-restore:${machine.name}`,
      `Restore etcd's data dir on ${machine.name} from ${name}`,
      30_000,
      async (ctx) => {
        const etcd = await members(ctx);
        const member = etcd.find((candidate) => candidate.machine.name === machine.name);
        if (member === undefined) throw new AppError('INTERNAL', `${machine.name} is not an etcd member.`);
        // This restore's own mark: an old data dir kept by an earlier restore of the same snapshot is not one.
        const mark = restoredMark(name);
        if (await pathExists(ctx, machine, mark)) return skipped(`${member.dataDir} is already restored from ${name}`);
        const fresh = `${member.dataDir}.nestlab-restore`;
        await ensureEtcdctl(ctx, machine);
        await ctx.vm(machine, { argv: ['rm', '-rf', '--', fresh] }, { root: true });
        const initialCluster = etcd.map((each) => `${each.name}=${each.peerUrl}`).join(',');
        await ctx.vm(
          machine,
          {
            argv: [
              'etcdctl',
              'snapshot',
              'restore',
              restoredCopy(name),
              '--data-dir',
              fresh,
              '--name',
              member.name,
              '--initial-cluster',
              initialCluster,
              '--initial-advertise-peer-urls',
              member.peerUrl,
              ...(member.token === undefined ? [] : ['--initial-cluster-token', member.token]),
            ],
          },
          { root: true, timeoutMs: 600_000 },
        );
        // Absent when a dropped connection came between the two moves: the old one is kept already.
        let kept: string | undefined;
        if (ctx.dry || (await pathExists(ctx, machine, member.dataDir))) {
          kept = await freePath(ctx, machine, `${member.dataDir}.before-${name}`);
          await ctx.vm(machine, { argv: ['mv', '--', member.dataDir, kept] }, { root: true });
        }
        await ctx.vm(machine, { argv: ['mv', '--', fresh, member.dataDir] }, { root: true });
        await ctx.vm(machine, { argv: ['touch', '--', mark] }, { root: true });
        return done(kept === undefined ? `${member.dataDir} restored` : `the old data dir is kept as ${kept}`);
      },
      machine.name,
    ),
  );
  const start = step('bootstrap', 'etcd-restore-start', 'Start etcd and the API servers again', 60_000, async (ctx) => {
    const first = firstControlPlane(ctx);
    const client = await etcdClient(ctx, first);
    const etcd = await members(ctx);
    // etcd first, so the API servers find it when the kubelet starts them.
    for (const machine of ctx.machines)
      if (componentsOf(ctx.plan, machine).includes('etcd')) await moveManifests(ctx, machine, ['etcd'], PAUSED, MANIFESTS);
    for (const [index, member] of etcd.entries()) {
      ctx.progress((index + 1) / (etcd.length + 1), `waiting for etcd on ${member.machine.name}`);
      await ctx.waitFor(
        `etcd on ${member.machine.name} to answer`,
        async () => ((await healthy(ctx, first, client, member)) ? true : undefined),
        {
          timeoutMs: 300_000,
          intervalMs: 1_000,
          placeholder: true,
        },
      );
    }
    for (const machine of ctx.machines) {
      if (machine.role === 'control-plane') await moveManifests(ctx, machine, API_COMPONENTS, PAUSED, MANIFESTS);
    }
    // The lab is usable again when its API answers (a real guest's API server took a minute more
    // after etcd was healthy, and kubectl got TLS handshake timeouts meanwhile).
    ctx.progress(etcd.length / (etcd.length + 1), 'waiting for the API server to answer');
    await waitForApiServer(ctx, first, adminKubectl);
    return done(`${etcd.length} etcd member(s) healthy; the API server answers`);
  });
  const verify = step('nodes', 'etcd-restore-verify', `Check that the objects ${name} saved are back`, 10_000, async (ctx) => {
    const first = firstControlPlane(ctx);
    const checked = await checkObjectsBack(
      ctx,
      first,
      await etcdClient(ctx, first),
      name,
      'the old data dirs are kept beside the restored ones (.before-<snapshot>)',
    );
    for (const machine of holders)
      await ctx.vm(machine, { argv: ['rm', '-f', '--', restoredCopy(name), restoredMark(name)] }, { root: true });
    return done(checked);
  });
  return [...copies, stop, ...restores, start, verify];
}
