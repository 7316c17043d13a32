/**
 * etcd snapshots of a lab as operation steps. kubeadm (stacked or external etcd): the
 * first control plane runs Debian's/etcd's `etcdctl` with the client certificate its API server
 * uses for etcd (the --etcd-* flags of its static pod manifest); k3s with embedded etcd (3
 * servers): `k3s etcd-snapshot save`, its status and object list read with etcdctl and k3s' own
 * etcd client certificate; k3s with one server keeps SQLite, which has no etcd to snapshot. The
 * restore follows upstream's "Restoring an etcd cluster" on kubeadm (etcd-restore.ts) and k3s'
 * "Restoring Snapshots" on k3s (etcd-restore-k3s.ts), and checks that the objects the snapshot
 * saved are back. Each step observes before it acts, so a resume continues a restore.
 */
import type { EtcdSnapshot, LabMachine, LabPlan } from '../../../shared/contract/labs';
import { AppError } from '../../../shared/errors';
import { done, skipped } from '../step-context';
import type { StepContext } from '../step-context';
import type { StepDefinition } from '../step-planner';
import {
  ensureEtcdctl,
  etcdClient,
  etcdctl,
  hostDigest,
  K3S_ETCD_CLIENT,
  K3S_SNAPSHOTS,
  onShelf,
  step,
  vmDigest,
  VM_SNAPSHOT,
  WORK_DIR,
  writeOnHost,
} from './etcd-cluster';
import type { EtcdClient, EtcdOperationRequest, EtcdStepsEnvironment } from './etcd-cluster';
import { beyondRetention, checkedKeys, LIST_SCRIPT, parseKeys, parseShelf, receiveFromVmArgv, shelfDir, snapshotFiles } from './etcd-shelf';

export { etcdSnapshotSupport, etcdClientOf, manifestFlags, memberOf } from './etcd-cluster';
export type { EtcdOperationRequest } from './etcd-cluster';
export { etcdRestoreSteps } from './etcd-restore';

interface TakenSnapshot {
  /** Where the snapshot file is on the VM. */
  path: string;
  status: Pick<EtcdSnapshot, 'revision' | 'totalKeys' | 'hash'>;
  keys?: string[];
}

async function takeWithEtcdctl(ctx: StepContext, first: LabMachine): Promise<TakenSnapshot> {
  const client = await etcdClient(ctx, first);
  // `snapshot save` reads from exactly one member.
  const endpoint = client.endpoints[0] ?? 'https://127.0.0.1:2379';
  await ctx.vm(first, { argv: ['mkdir', '-p', '-m', '700', WORK_DIR] }, { root: true });
  await ctx.vm(first, { argv: ['rm', '-f', '--', VM_SNAPSHOT, `${VM_SNAPSHOT}.part`] }, { root: true });
  ctx.progress(0.1, `etcdctl snapshot save on ${first.name}`);
  await ctx.vm(first, { argv: etcdctl(client, endpoint, 'snapshot', 'save', VM_SNAPSHOT) }, { root: true, timeoutMs: 600_000 });
  await ctx.vm(first, { argv: ['chmod', '600', VM_SNAPSHOT] }, { root: true });
  return { path: VM_SNAPSHOT, ...(await statusAndKeys(ctx, first, client, endpoint, VM_SNAPSHOT)) };
}

/** The snapshot's status (`etcdctl snapshot status`) and the object keys etcd held at its revision (the restore checks they are back). */
async function statusAndKeys(
  ctx: StepContext,
  first: LabMachine,
  client: EtcdClient,
  endpoint: string,
  path: string,
): Promise<Omit<TakenSnapshot, 'path'>> {
  ctx.progress(0.4, 'etcdctl snapshot status');
  const statusOut = await ctx.vm(first, { argv: ['etcdctl', 'snapshot', 'status', path, '-w', 'json'] }, { root: true });
  const raw = ctx.dry ? {} : (JSON.parse(statusOut.stdout) as { hash?: number; revision?: number; totalKey?: number });
  const status = {
    ...(raw.revision === undefined ? {} : { revision: raw.revision }),
    ...(raw.totalKey === undefined ? {} : { totalKeys: raw.totalKey }),
    ...(raw.hash === undefined ? {} : { hash: raw.hash.toString(16).padStart(8, '0') }),
  };
  // The objects at exactly the snapshot's revision.
  const keysOut = await ctx.vm(
    first,
    {
      argv: etcdctl(
        client,
        endpoint,
        'get',
        '/registry/',
        '--prefix',
        '--keys-only',
        ...(raw.revision === undefined ? [] : [`--rev=${raw.revision}`]),
      ),
    },
    { root: true, secretOutput: true },
  );
  return { status, keys: checkedKeys(parseKeys(keysOut.stdout)) };
}

async function takeWithK3s(ctx: StepContext, first: LabMachine, name: string): Promise<TakenSnapshot> {
  ctx.progress(0.1, `k3s etcd-snapshot save on ${first.name}`);
  await ctx.vm(first, { argv: ['k3s', 'etcd-snapshot', 'save', '--name', `nestlab-${name}`] }, { root: true, timeoutMs: 600_000 });
  // k3s appends the node name and a timestamp to the name it is given.
  const listing = await ctx.vm(first, { argv: ['ls', '-1', '--', K3S_SNAPSHOTS] }, { root: true });
  const file = listing.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith(`nestlab-${name}`))
    .sort()
    .pop();
  if (file === undefined && !ctx.dry) {
    throw new AppError(
      'PROGRAM_FAILED',
      `k3s etcd-snapshot save finished, but ${K3S_SNAPSHOTS} on ${first.name} has no nestlab-${name}* file.`,
    );
  }
  const path = `${K3S_SNAPSHOTS}/${file ?? `nestlab-${name}`}`;
  // The status and the object list come from etcdctl, which k3s does not ship: without it the
  // snapshot is still kept, but a restore cannot check that every object is back.
  try {
    await ensureEtcdctl(ctx, first);
  } catch (error) {
    const missing = AppError.from(error);
    if (missing.code !== 'PROGRAM_MISSING') throw missing;
    ctx.log(
      `${missing.message} The snapshot is kept without its object list, so a restore cannot check that every object is back. ${typeof missing.details?.fix === 'string' ? missing.details.fix : ''}`,
    );
    return { path, status: {} };
  }
  return { path, ...(await statusAndKeys(ctx, first, K3S_ETCD_CLIENT, K3S_ETCD_CLIENT.endpoints[0] ?? '', path)) };
}

/** Save: take the snapshot on the first control plane, keep it on the host with its status, prune to `keep`. */
function saveStep(request: EtcdOperationRequest, env: EtcdStepsEnvironment, first: LabMachine): StepDefinition {
  return step(
    'etcd',
    'etcd-save',
    `Take etcd snapshot ${request.snapshot} on ${first.name} and keep it on the host`,
    60_000,
    async (ctx) => {
      const dir = shelfDir(ctx.plan);
      const files = snapshotFiles(dir, request.snapshot);
      const kept = await onShelf(ctx, request.snapshot);
      if (kept === undefined) {
        const k3s = ctx.plan.distribution === 'k3s';
        const taken = k3s ? await takeWithK3s(ctx, first, request.snapshot) : await takeWithEtcdctl(ctx, first);
        ctx.progress(0.6, 'copy to the host');
        const address = first.address ?? `<address of ${first.name}>`;
        await ctx.host(receiveFromVmArgv(env.driver, address, `sudo -n -- cat -- ${taken.path}`, dir, `${request.snapshot}.db`), {
          secretOutput: true,
          timeoutMs: 1_800_000,
        });
        const sha256 = await hostDigest(ctx, files.db);
        if (!ctx.dry && (sha256 === undefined || sha256 !== (await vmDigest(ctx, first, taken.path)))) {
          throw new AppError('PROGRAM_FAILED', `The copy of ${request.snapshot} on the host differs from the snapshot on ${first.name}.`, {
            fix: 'Check the free space on the host, then resume.',
          });
        }
        const size = await ctx.observeHost(['stat', '-c', '%s', '--', files.db]);
        const snapshot: EtcdSnapshot = {
          name: request.snapshot,
          takenAt: new Date().toISOString(),
          machine: first.name,
          tool: k3s ? 'k3s' : 'etcdctl',
          sizeBytes: Number.parseInt(size.stdout.trim(), 10) || 0,
          sha256: sha256 ?? '',
          ...taken.status,
          ...(taken.keys === undefined ? {} : { savedObjects: taken.keys.length }),
        };
        if (taken.keys !== undefined) await writeOnHost(ctx, files.keys, `${taken.keys.join('\n')}\n`, '<object keys>');
        // The status goes last: a snapshot is listed only once it is whole.
        await writeOnHost(ctx, files.status, JSON.stringify(snapshot), '<snapshot status>');
        if (!k3s) await ctx.vm(first, { argv: ['rm', '-f', '--', taken.path] }, { root: true });
      }
      ctx.progress(0.9, 'retention');
      const listing = await ctx.observeHost(['sh', '-c', LIST_SCRIPT, 'nestlab-list', dir], { secretOutput: true });
      const names = parseShelf(listing.stdout).map((snapshot) => snapshot.name);
      const removed = beyondRetention(names, request.keep ?? 5);
      for (const name of removed) {
        const old = snapshotFiles(dir, name);
        await ctx.host(['rm', '-f', '--', old.db, old.status, old.keys]);
      }
      const pruned = removed.length === 0 ? '' : `; removed ${removed.join(', ')} (keeping ${request.keep ?? 5})`;
      return kept === undefined
        ? done(`${request.snapshot} kept on the host${pruned}`)
        : skipped(`${request.snapshot} is already on the host${pruned}`);
    },
    first.name,
  );
}

function downloadStep(request: EtcdOperationRequest, env: EtcdStepsEnvironment): StepDefinition {
  return step('cleanup', 'etcd-download', `Copy ${request.snapshot} to this computer`, 10_000, async (ctx) => {
    const files = snapshotFiles(shelfDir(ctx.plan), request.snapshot);
    // The snapshot holds every Secret of the cluster: its bytes are never logged.
    const encoded = await ctx.host(['base64', '-w', '0', '--', files.db], { secretOutput: true, timeoutMs: 1_800_000 });
    if (ctx.dry) return done();
    const content = Buffer.from(encoded.stdout.trim(), 'base64');
    const path = await env.saveLocalCopy(request.snapshot, content);
    const status = await onShelf(ctx, request.snapshot);
    if (status !== undefined) await writeOnHost(ctx, files.status, JSON.stringify({ ...status, localCopy: path }), '<snapshot status>');
    return done(path);
  });
}

/** The steps of an 'etcd-snapshot' operation. */
export function etcdSaveSteps(
  plan: LabPlan,
  machines: readonly LabMachine[],
  request: EtcdOperationRequest,
  env: EtcdStepsEnvironment,
): StepDefinition[] {
  const first = machines.find((machine) => machine.role === 'control-plane');
  if (first === undefined) throw new AppError('INTERNAL', 'The lab has no control plane.');
  return [saveStep(request, env, first), ...(request.copyToComputer === true ? [downloadStep(request, env)] : [])];
}
