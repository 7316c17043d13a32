/**
 * The restore of an etcd snapshot on a k3s lab with embedded etcd (3 servers), after k3s'
 * "Restoring Snapshots" for multiple servers (docs.k3s.io/cli/etcd-snapshot): stop k3s on every
 * server, `k3s server --cluster-reset --cluster-reset-restore-path=<snapshot>` on the first (it
 * restores, makes itself the only etcd member and exits), start k3s there, then on each other
 * server set the old database aside and start k3s so it joins the restored cluster as a new member.
 *
 * Markers in /var/lib/nestlab say how far a restore got, so a resumed one (the engine runs every
 * step again) finds its work done: `<snapshot>.reset` on the first server once the reset finished
 * (k3s' own reset-flag goes at the next start), `<snapshot>.pending` on the other servers from the
 * stop until their database is set aside. The check at the end removes them.
 */
import type { LabMachine, LabPlan } from '../../../shared/contract/labs';
import { AppError } from '../../../shared/errors';
import { apiServerSans } from '../api-endpoint';
import { k3sFirstServerArgs, k3sKubectl } from '../bootstrap';
import { addressOf, done, skipped } from '../step-context';
import type { StepContext } from '../step-context';
import type { StepDefinition } from '../step-planner';
import { freePath, hostDigest, K3S_DB, K3S_ETCD_CLIENT, K3S_SNAPSHOTS, pathExists, step, vmDigest, WORK_DIR } from './etcd-cluster';
import type { EtcdOperationRequest, EtcdStepsEnvironment } from './etcd-cluster';
import { checkObjectsBack, restoredCopy, snapshotCopyStep, waitForApiServer } from './etcd-restore';
import { shelfDir, snapshotFiles } from './etcd-shelf';

const resetMark = (name: string) => `${WORK_DIR}/k3s-restore-${name}.reset`;
const pendingMark = (name: string) => `${WORK_DIR}/k3s-restore-${name}.pending`;
const resetLog = (name: string) => `${WORK_DIR}/k3s-restore-${name}.log`;
/** What k3s logs when the reset is over (k3s 1.2x: "Managed etcd cluster membership has been reset, restart without ..."). */
const RESET_DONE = 'restart without --cluster-reset flag now';
/** Written by k3s when it reset the cluster, removed when it next starts normally. */
const RESET_FLAG = `${K3S_DB}/reset-flag`;

/**
 * $1 = log file, the rest = the `k3s server --cluster-reset` command. Its output (thousands of
 * lines) goes to the log; the end of it is printed. Fails unless k3s said the reset is over.
 */
const RESET_SCRIPT =
  'log=$1; shift; "$@" >"$log" 2>&1; code=$?; ' +
  `if [ "$code" -eq 0 ] && grep -q -- '${RESET_DONE}' "$log"; then tail -n 5 "$log"; exit 0; fi; ` +
  'tail -n 30 "$log" >&2; [ "$code" -eq 0 ] && code=3; exit "$code"';

const k3sActive = async (ctx: StepContext, machine: LabMachine) =>
  (await ctx.observeVm(machine, { argv: ['systemctl', 'is-active', '--quiet', 'k3s'] }, { root: true })).exitCode === 0;

/**
 * Starts k3s on `machine` (the unit is Type=notify: systemctl returns once k3s is up, minutes in an
 * emulated guest). A server whose join is refused while another one is still an etcd learner
 * exits, and systemd starts it again (Restart=always), so a failed start is waited out.
 */
async function startK3s(ctx: StepContext, machine: LabMachine): Promise<void> {
  try {
    await ctx.vm(machine, { argv: ['systemctl', 'start', 'k3s'] }, { root: true, timeoutMs: 900_000 });
    return;
  } catch (error) {
    const failure = AppError.from(error);
    if (failure.code === 'CANCELLED') throw failure;
    ctx.log(`k3s did not start at once on ${machine.name} (${failure.message}); systemd starts it again, waiting for it.`);
  }
  try {
    await ctx.waitFor(`k3s to run on ${machine.name}`, async () => ((await k3sActive(ctx, machine)) ? true : undefined), {
      timeoutMs: 600_000,
      intervalMs: 5_000,
      placeholder: true,
    });
  } catch (error) {
    const failure = AppError.from(error);
    if (failure.code !== 'TIMEOUT') throw failure;
    throw new AppError('PROGRAM_FAILED', `k3s does not start on ${machine.name} after the restore.`, {
      fix: `Read "journalctl -u k3s" on ${machine.name}, fix the cause, then resume.`,
    });
  }
}

/** A reset still running on `machine` (started by a run whose connection dropped). The class keeps pgrep from finding sudo's own command line. */
const resetRunning = async (ctx: StepContext, machine: LabMachine) =>
  (await ctx.observeVm(machine, { argv: ['pgrep', '-f', '--', '[-]-cluster-reset-restore-path='] }, { root: true })).exitCode === 0;

/** Where the first server has the snapshot: still in k3s' own folder (the file the save copied), or this restore's copy. */
async function snapshotOnFirst(ctx: StepContext, first: LabMachine, name: string, wanted: string): Promise<string | undefined> {
  const listing = await ctx.observeVm(first, { argv: ['ls', '-1', '--', K3S_SNAPSHOTS] }, { root: true });
  const files = listing.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith(`nestlab-${name}-`));
  for (const path of [...files.map((file) => `${K3S_SNAPSHOTS}/${file}`), restoredCopy(name)]) {
    if ((await vmDigest(ctx, first, path)) === wanted) return path;
  }
  return undefined;
}

function resetStep(name: string, first: LabMachine): StepDefinition {
  return step(
    'etcd',
    'etcd-restore-reset',
    `Restore ${name} on ${first.name} (k3s server --cluster-reset)`,
    120_000,
    async (ctx) => {
      if (await pathExists(ctx, first, resetMark(name))) return skipped(`${first.name} was already reset to ${name}`);
      if (await resetRunning(ctx, first)) {
        ctx.progress(0.1, 'a reset started before the connection dropped is still running');
        await ctx.waitFor(`the running reset on ${first.name} to end`, async () => ((await resetRunning(ctx, first)) ? undefined : true), {
          timeoutMs: 1_800_000,
          intervalMs: 5_000,
          placeholder: true,
        });
      }
      const log = resetLog(name);
      const finished =
        (await pathExists(ctx, first, RESET_FLAG)) &&
        (await ctx.observeVm(first, { argv: ['grep', '-q', '--', RESET_DONE, log] }, { root: true })).exitCode === 0;
      if (!finished) {
        const path = await restorePath(ctx, first, name);
        const argv = ['k3s', ...k3sFirstServerArgs(ctx.plan, first, apiServerSans(ctx.plan, addressOf(ctx, first), ctx.hostAddress))];
        ctx.progress(0.2, `k3s server --cluster-reset on ${first.name} (its log: ${log})`);
        try {
          await ctx.vm(
            first,
            {
              argv: [
                'sh',
                '-c',
                RESET_SCRIPT,
                'nestlab-k3s-reset',
                log,
                ...argv,
                '--cluster-reset',
                `--cluster-reset-restore-path=${path}`,
              ],
            },
            { root: true, timeoutMs: 1_800_000 },
          );
        } catch (error) {
          throw new AppError('PROGRAM_FAILED', `k3s could not restore ${name} on ${first.name}: ${AppError.from(error).message}`, {
            fix: `Read ${log} on ${first.name} for the cause and fix it, then resume (the reset runs again; k3s stays stopped on the other servers, their data untouched).`,
          });
        }
      }
      await ctx.vm(first, { argv: ['touch', '--', resetMark(name)] }, { root: true });
      return done(
        finished
          ? 'the reset started before the connection dropped had finished'
          : `${first.name} is the only etcd member, with ${name}'s data`,
      );
    },
    first.name,
  );
}

/** The snapshot file the reset reads on the first server (the copy step found it there or copied it). */
async function restorePath(ctx: StepContext, first: LabMachine, name: string): Promise<string> {
  const wanted = await hostDigest(ctx, snapshotFiles(shelfDir(ctx.plan), name).db);
  const path = wanted === undefined ? undefined : await snapshotOnFirst(ctx, first, name, wanted);
  if (path !== undefined || ctx.dry) return path ?? restoredCopy(name);
  throw new AppError(
    'NOT_FOUND',
    `${first.name} no longer has snapshot ${name} (neither in ${K3S_SNAPSHOTS} nor as ${restoredCopy(name)}).`,
    {
      fix: 'Resume: the copy step copies it from the host again.',
    },
  );
}

/** The steps of an 'etcd-restore' operation of a k3s lab with embedded etcd. */
export function k3sRestoreSteps(
  plan: LabPlan,
  machines: readonly LabMachine[],
  request: EtcdOperationRequest,
  env: EtcdStepsEnvironment,
): StepDefinition[] {
  if (plan.distribution !== 'k3s') throw new AppError('INTERNAL', `${plan.name} is not a k3s lab.`);
  const name = request.snapshot;
  const servers = machines.filter((machine) => machine.role === 'control-plane');
  const [first, ...others] = servers;
  if (first === undefined) throw new AppError('INTERNAL', 'The lab has no k3s server.');
  const copy = snapshotCopyStep(env, first, name, (ctx, wanted) => snapshotOnFirst(ctx, first, name, wanted));
  const stop = step('cordon', 'etcd-restore-stop', 'Stop k3s on every server', 60_000, async (ctx) => {
    if (await pathExists(ctx, first, resetMark(name)))
      return skipped(`${first.name} was already reset to ${name}; the servers were stopped for it`);
    let stopped = 0;
    for (const [index, machine] of servers.entries()) {
      ctx.progress(index / servers.length, `stopping k3s on ${machine.name}`);
      if (ctx.dry || (await k3sActive(ctx, machine))) {
        await ctx.vm(machine, { argv: ['systemctl', 'stop', 'k3s'] }, { root: true, timeoutMs: 300_000 });
        stopped += 1;
      }
      if (machine !== first && (ctx.dry || !(await pathExists(ctx, machine, pendingMark(name))))) {
        await ctx.vm(machine, { argv: ['mkdir', '-p', '-m', '700', WORK_DIR] }, { root: true });
        await ctx.vm(machine, { argv: ['touch', '--', pendingMark(name)] }, { root: true });
      }
    }
    return done(stopped === 0 ? 'k3s was already stopped everywhere' : `k3s stopped on ${stopped} server(s)`);
  });
  const start = step('bootstrap', 'etcd-restore-start', `Start k3s on ${first.name}`, 120_000, async (ctx) => {
    const active = !ctx.dry && (await k3sActive(ctx, first));
    if (!active) await startK3s(ctx, first);
    ctx.progress(0.5, 'waiting for the API server to answer');
    await waitForApiServer(ctx, first, k3sKubectl);
    return active ? skipped(`k3s already runs on ${first.name} and its API server answers`) : done('the API server answers');
  });
  const rejoins = others.map((machine) =>
    step(
      'join-control-planes',
      `etcd-restore-rejoin:${machine.name}`,
      `Set ${machine.name}'s old k3s database aside and rejoin it`,
      120_000,
      async (ctx) => {
        let kept: string | undefined;
        if (ctx.dry || (await pathExists(ctx, machine, pendingMark(name)))) {
          if (ctx.dry || (await pathExists(ctx, machine, K3S_DB))) {
            kept = await freePath(ctx, machine, `${K3S_DB}.before-${name}`);
            await ctx.vm(machine, { argv: ['mv', '--', K3S_DB, kept] }, { root: true });
          }
          await ctx.vm(machine, { argv: ['rm', '-f', '--', pendingMark(name)] }, { root: true });
        }
        const active = !ctx.dry && (await k3sActive(ctx, machine));
        if (!active) await startK3s(ctx, machine);
        if (active && kept === undefined) return skipped(`${machine.name} already rejoined`);
        return done(kept === undefined ? `k3s started on ${machine.name}` : `rejoined; the old database is kept as ${kept}`);
      },
      machine.name,
    ),
  );
  const verify = step(
    'nodes',
    'etcd-restore-verify',
    `Check that the servers are Ready and the objects ${name} saved are back`,
    30_000,
    async (ctx) => {
      ctx.progress(0.1, 'waiting for every server to be Ready');
      await ctx.waitFor(
        'every k3s server to be Ready after the restore',
        async () => ((await notReady(ctx, first, servers)).length === 0 ? true : undefined),
        {
          timeoutMs: 600_000,
          intervalMs: 5_000,
          placeholder: true,
        },
      );
      ctx.progress(0.6, 'comparing the objects with the snapshot');
      const checked = await checkObjectsBack(
        ctx,
        first,
        K3S_ETCD_CLIENT,
        name,
        `${first.name}'s old etcd data is in ${K3S_DB}/etcd-old-<time>, the other servers' in ${K3S_DB}.before-${name}`,
      );
      await ctx.vm(first, { argv: ['rm', '-f', '--', restoredCopy(name), resetLog(name), resetMark(name)] }, { root: true });
      return done(`${servers.length} servers Ready; ${checked}`);
    },
  );
  return [copy, stop, resetStep(name, first), start, ...rejoins, verify];
}

/** The servers whose node is not Ready (as the first server's API server tells). */
async function notReady(ctx: StepContext, head: LabMachine, servers: readonly LabMachine[]): Promise<string[]> {
  const result = await ctx.observeVm(head, { argv: k3sKubectl('get', 'nodes', '-o', 'json') }, { root: true, timeoutMs: 30_000 });
  if (result.exitCode !== 0) return servers.map((server) => server.name);
  const nodes =
    (
      JSON.parse(result.stdout) as {
        items?: { metadata?: { name?: string }; status?: { conditions?: { type?: string; status?: string }[] } }[];
      }
    ).items ?? [];
  const ready = new Set(
    nodes
      .filter((node) => node.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True'))
      .map((node) => node.metadata?.name),
  );
  return servers.filter((server) => !ready.has(server.name)).map((server) => server.name);
}
