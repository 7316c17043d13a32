import { describe, expect, it } from 'vitest';
import type { LabMachine } from '../../../shared/contract/labs';
import { AppError } from '../../../shared/errors';
import type { ExecResult } from '../../hosts/ssh-connection';
import { dryRunSteps } from '../engine';
import { LibvirtDriver } from '../libvirt-driver';
import { machinesOf } from '../machines';
import type { StepContext, VmCommand } from '../step-context';
import type { StepDefinition } from '../step-planner';
import { testPlan } from '../test-plans';
import { K3S_DB, K3S_SNAPSHOTS } from './etcd-cluster';
import { checkEtcdOperation, etcdOperationSteps } from './etcd-operations';
import { k3sRestoreSteps } from './etcd-restore-k3s';
import { shelfDir, snapshotFiles } from './etcd-shelf';

const SNAPSHOT = 'etcd-20261202-104503';
const plan = testPlan({ distribution: 'k3s', controlPlaneCount: 3, linuxWorkers: 1, windowsWorkers: 0 });
const machines: LabMachine[] = machinesOf(plan).map((machine, index) => ({
  ...machine,
  state: 'joined',
  address: `192.0.2.${11 + index}`,
}));
const env = {
  driver: new LibvirtDriver(plan, '/var/lib/libvirt/images', 'abcd1234'),
  localDir: '/tmp/none',
  saveLocalCopy: () => Promise.reject(new Error('a restore copies nothing to this computer')),
};
const steps = () => k3sRestoreSteps(plan, machines, { snapshot: SNAPSHOT }, env);

describe('k3s etcd restore (3 servers, embedded etcd)', () => {
  it('dry run (no real k3s): stops every server, resets the first from the snapshot, starts it, rejoins the others one by one, checks', async () => {
    const planned = await dryRunSteps(plan, machines, '/var/lib/libvirt/images', steps());
    const lines = planned.flatMap((step) =>
      step.commands.map(
        (command) => `[${step.id}] ${command.target.kind === 'vm' ? command.target.vm : command.target.kind}: ${command.display}`,
      ),
    );
    expect(lines.join('\n')).toMatchSnapshot();
    expect(planned.map((step) => [step.phase, step.id])).toEqual([
      ['prepare', 'etcd-restore-copy:lab1-cp1'],
      ['cordon', 'etcd-restore-stop'],
      ['etcd', 'etcd-restore-reset'],
      ['bootstrap', 'etcd-restore-start'],
      ['join-control-planes', 'etcd-restore-rejoin:lab1-cp2'],
      ['join-control-planes', 'etcd-restore-rejoin:lab1-cp3'],
      ['nodes', 'etcd-restore-verify'],
    ]);
    // The reset runs with the flags the first server's unit has (node name, --cluster-init, SANs, ranges).
    const reset = lines.find((line) => line.includes("'--cluster-reset'")) ?? '';
    expect(reset).toContain("'k3s' 'server' '--node-name' 'lab1-cp1' '--cluster-init' '--tls-san' 'lab1-api.lab.internal'");
    expect(reset).toContain(`'--cluster-reset' '--cluster-reset-restore-path=/var/lib/nestlab/etcd-restore-${SNAPSHOT}.db'`);
    // Workers are left alone: k3s' docs restart servers only.
    expect(lines.some((line) => line.includes('lab1-linux1'))).toBe(false);
  });

  it('is what a k3s lab with 3 servers gets for a restore; one server (SQLite) is still refused with the reason', () => {
    expect(() => checkEtcdOperation(plan)).not.toThrow();
    const ids = etcdOperationSteps('etcd-restore', plan, machines, { snapshot: SNAPSHOT }, env.driver, '/tmp/none').map((step) => step.id);
    expect(ids).toContain('etcd-restore-reset');
    const sqlite = testPlan({ distribution: 'k3s', controlPlaneCount: 1 });
    const refusal = (() => {
      try {
        checkEtcdOperation(sqlite);
        return undefined;
      } catch (error) {
        return AppError.from(error).toJSON();
      }
    })();
    expect(refusal).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/keeps the cluster in SQLite \(kine\), not in etcd: there is no etcd to snapshot/),
    });
  });

  it('resumes after dropped connections without stopping, resetting or moving anything twice (simulated servers, no real k3s)', async () => {
    const lab = simulatedServers();
    // 1: the reset finishes on the first server, but the connection drops before Nestlab hears it.
    await expect(lab.run(steps(), (machine, argv) => machine === 'lab1-cp1' && argv.includes('--cluster-reset'))).rejects.toThrow(
      /connection dropped/,
    );
    expect(lab.actions.filter((action) => action.includes('systemctl stop k3s'))).toHaveLength(3);
    // The snapshot was still in k3s' own folder on the first server: restored from there, nothing copied.
    expect(lab.actions.some((action) => action.startsWith('host: sh -c'))).toBe(false);
    expect(lab.resetFrom).toEqual([`${K3S_SNAPSHOTS}/nestlab-${SNAPSHOT}-lab1-cp1-1790000000`]);
    // 2: resumed; cp2's database is set aside, then the connection drops again.
    lab.actions.length = 0;
    await expect(lab.run(steps(), (machine, argv) => machine === 'lab1-cp2' && argv[0] === 'mv')).rejects.toThrow(/connection dropped/);
    expect(lab.actions.filter((action) => action.includes('systemctl stop') || action.includes('--cluster-reset'))).toEqual([]);
    expect(lab.resetFrom).toHaveLength(1);
    expect(lab.actions).toEqual([
      'lab1-cp1: touch -- /var/lib/nestlab/k3s-restore-etcd-20261202-104503.reset',
      'lab1-cp1: systemctl start k3s',
      `lab1-cp2: mv -- ${K3S_DB} ${K3S_DB}.before-${SNAPSHOT}`,
    ]);
    // 3: resumed again; it finishes: cp2 is not moved twice, cp3 rejoins, the objects are back.
    lab.actions.length = 0;
    const outcomes = await lab.run(steps());
    expect(lab.actions.filter((action) => action.includes('systemctl stop') || action.includes('--cluster-reset'))).toEqual([]);
    expect(lab.actions.filter((action) => action.includes(' mv '))).toEqual([`lab1-cp3: mv -- ${K3S_DB} ${K3S_DB}.before-${SNAPSHOT}`]);
    expect(outcomes).toEqual([
      ['etcd-restore-copy:lab1-cp1', 'skipped'],
      ['etcd-restore-stop', 'skipped'],
      ['etcd-restore-reset', 'skipped'],
      ['etcd-restore-start', 'skipped'],
      ['etcd-restore-rejoin:lab1-cp2', 'done'],
      ['etcd-restore-rejoin:lab1-cp3', 'done'],
      ['etcd-restore-verify', 'done'],
    ]);
    expect(lab.details.at(-1)).toBe('3 servers Ready; all 2 saved objects are back');
    for (const server of ['lab1-cp1', 'lab1-cp2', 'lab1-cp3']) expect(lab.server(server).active).toBe(true);
    // One old database kept beside the new one (the one k3s made when cp2 joined).
    const kept = lab.paths('lab1-cp2').filter((path) => path.startsWith(`${K3S_DB}.before`) && !path.slice(K3S_DB.length).includes('/'));
    expect(kept).toEqual([`${K3S_DB}.before-${SNAPSHOT}`]);
    expect(lab.paths('lab1-cp2')).toContain(`${K3S_DB}/etcd`);
    expect(
      [...lab.paths('lab1-cp1'), ...lab.paths('lab1-cp2'), ...lab.paths('lab1-cp3')].filter((path) => path.includes('k3s-restore-')),
    ).toEqual([]);
  });

  it('waits for a reset that still runs after the connection dropped, and does not start a second one (simulated servers, no real k3s)', async () => {
    const lab = simulatedServers();
    // The connection drops while `k3s server --cluster-reset` still runs on the first server.
    lab.resetsInBackground = true;
    await expect(lab.run(steps(), (machine, argv) => machine === 'lab1-cp1' && argv.includes('--cluster-reset'))).rejects.toThrow(
      /connection dropped/,
    );
    expect(lab.resetFrom).toEqual([]);
    lab.actions.length = 0;
    const outcomes = await lab.run(steps());
    // The resumed reset step waited for it (pgrep), found it finished (reset-flag and k3s' message), and ran no other.
    expect(lab.resetFrom).toHaveLength(1);
    expect(lab.actions.filter((action) => action.includes('--cluster-reset') || action.includes('systemctl stop'))).toEqual([]);
    expect(outcomes.find(([id]) => id === 'etcd-restore-reset')).toEqual(['etcd-restore-reset', 'done']);
    expect(lab.details).toContain('the reset started before the connection dropped had finished');
    expect(outcomes.at(-1)).toEqual(['etcd-restore-verify', 'done']);
  });
});

interface Server {
  active: boolean;
  /** Files and folders (path -> SHA-256 or ''). */
  files: Map<string, string>;
}

/**
 * Three k3s servers as state, answering the commands the restore runs the way k3s, systemd and
 * coreutils do (a reset needs k3s stopped and the snapshot file, leaves reset-flag and its
 * message; a normal start removes reset-flag; a server started without its database joins and
 * gets a fresh one). `run` runs the steps in order as the engine does on each resume; `drop`
 * makes an action happen and its answer get lost.
 */
function simulatedServers() {
  const digest = 'a'.repeat(64);
  const shelf = snapshotFiles(shelfDir(plan), SNAPSHOT);
  const saved = ['/registry/configmaps/default/kept', '/registry/secrets/default/db-password'];
  const servers = new Map<string, Server>();
  for (const name of ['lab1-cp1', 'lab1-cp2', 'lab1-cp3']) {
    servers.set(name, {
      active: true,
      files: new Map([
        [K3S_DB, ''],
        [`${K3S_DB}/etcd`, ''],
      ]),
    });
  }
  servers.get('lab1-cp1')?.files.set(`${K3S_SNAPSHOTS}/nestlab-${SNAPSHOT}-lab1-cp1-1790000000`, digest);
  let etcdKeys = ['/registry/configmaps/default/after-the-snapshot'];
  /** A reset whose SSH session was cut: it goes on for a few more pgrep polls, then finishes. */
  let background: { polls: number; args: readonly string[] } | undefined;
  const actions: string[] = [];
  const details: string[] = [];
  const resetFrom: string[] = [];
  const server = (name: string): Server => {
    const found = servers.get(name);
    if (found === undefined) throw new Error(`no server ${name}`);
    return found;
  };
  const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
  const fail = (code = 1, stderr = ''): ExecResult => ({ exitCode: code, stdout: '', stderr });
  const exists = (s: Server, path: string) => [...s.files.keys()].some((file) => file === path || file.startsWith(`${path}/`));

  function onVm(name: string, argv: readonly string[]): ExecResult {
    const s = server(name);
    const [program, ...args] = argv;
    const last = args.at(-1) ?? '';
    if (program === 'test') return exists(s, last) ? ok() : fail();
    if (program === 'sha256sum') return s.files.get(last) ? ok(`${s.files.get(last)}  ${last}\n`) : fail();
    if (program === 'ls') {
      const under = [...s.files.keys()].filter((file) => file.startsWith(`${last}/`)).map((file) => file.slice(last.length + 1));
      return ok(under.join('\n'));
    }
    if (program === 'mkdir' || program === 'touch') return (s.files.set(last, s.files.get(last) ?? ''), ok());
    if (program === 'rm') return (args.filter((arg) => arg.startsWith('/')).forEach((path) => s.files.delete(path)), ok());
    if (program === 'mv') {
      const [from, to] = args.filter((arg) => arg.startsWith('/'));
      for (const [file, value] of [...s.files]) {
        if (file === from || file.startsWith(`${from}/`)) {
          s.files.delete(file);
          s.files.set(`${to}${file.slice((from ?? '').length)}`, value);
        }
      }
      return ok();
    }
    if (program === 'systemctl') return systemctl(name, s, args);
    if (program === 'pgrep') {
      if (background === undefined) return fail();
      background.polls -= 1;
      if (background.polls > 0) return ok('4242\n');
      reset(s, background.args);
      background = undefined;
      return fail();
    }
    if (program === 'grep') return (s.files.get(last) ?? '').includes('restart without --cluster-reset flag now') ? ok() : fail();
    if (program === 'sh' && args[0] === '-c' && last === 'command -v etcdctl') return ok('/usr/bin/etcdctl\n');
    if (program === 'sh' && args.includes('--cluster-reset')) return reset(s, args);
    if (program === 'k3s' && args.includes('/readyz')) return server('lab1-cp1').active ? ok('ok') : fail(1, 'connection refused');
    if (program === 'k3s' && args.includes('nodes')) {
      const items = [...servers].map(([node, each]) => ({
        metadata: { name: node },
        status: { conditions: [{ type: 'Ready', status: each.active ? 'True' : 'Unknown' }] },
      }));
      return ok(JSON.stringify({ items }));
    }
    if (program === 'etcdctl' && args.includes('--keys-only')) return ok(etcdKeys.join('\n\n'));
    throw new Error(`the simulated server does not know ${argv.join(' ')}`);
  }

  function systemctl(name: string, s: Server, args: readonly string[]): ExecResult {
    if (args[0] === 'is-active') return s.active ? ok() : fail(3);
    if (args[0] === 'stop') s.active = false;
    if (args[0] === 'start') {
      if (!exists(s, `${K3S_DB}/etcd`)) {
        if (name === 'lab1-cp1' || !server('lab1-cp1').active) return fail(1, 'Job for k3s.service failed');
        s.files.set(`${K3S_DB}/etcd`, ''); // joined the restored cluster as a new member
      }
      s.files.delete(`${K3S_DB}/reset-flag`);
      s.active = true;
    }
    return ok();
  }

  function reset(s: Server, args: readonly string[]): ExecResult {
    if (s.active) return fail(1, 'bind: address already in use');
    const path = (args.find((arg) => arg.startsWith('--cluster-reset-restore-path=')) ?? '').split('=')[1] ?? '';
    if (s.files.get(path) !== digest) return fail(1, `etcd: snapshot path does not exist: ${path}`);
    resetFrom.push(path);
    etcdKeys = [...saved];
    s.files.set(`${K3S_DB}/reset-flag`, '');
    s.files.set(args[3] ?? '', 'Managed etcd cluster membership has been reset, restart without --cluster-reset flag now.');
    return ok();
  }

  function onHost(argv: readonly string[]): ExecResult {
    if (argv[0] === 'sha256sum') return argv.at(-1) === shelf.db ? ok(`${digest}  ${shelf.db}\n`) : fail();
    if (argv[0] === 'cat' && argv.at(-1) === shelf.keys) return ok(`${saved.join('\n')}\n`);
    throw new Error(`the simulated host does not know ${argv.join(' ')}`);
  }

  async function run(definitions: readonly StepDefinition[], drop?: (machine: string, argv: readonly string[]) => boolean) {
    const outcomes: [string, string][] = [];
    const argvOf = (command: VmCommand) => ('argv' in command ? command.argv : []);
    const ctx = {
      dry: false,
      signal: new AbortController().signal,
      plan,
      machines,
      storagePath: '/var/lib/libvirt/images',
      hostAddress: '192.0.2.1',
      shared: new Map<string, string>(),
      log: () => undefined,
      local: () => undefined,
      progress: () => undefined,
      host: (argv: readonly string[]) => {
        actions.push(`host: ${argv.join(' ')}`);
        return Promise.resolve(onHost(argv));
      },
      observeHost: (argv: readonly string[]) => Promise.resolve(onHost(argv)),
      vm: (machine: LabMachine, command: VmCommand) => {
        const argv = argvOf(command);
        actions.push(`${machine.name}: ${argv.join(' ')}`);
        if (lab.resetsInBackground && argv.includes('--cluster-reset') && drop?.(machine.name, argv)) {
          background = { polls: 2, args: argv.slice(1) };
          return Promise.reject(new AppError('UNREACHABLE', 'connection dropped'));
        }
        const result = onVm(machine.name, argv);
        if (drop?.(machine.name, argv)) return Promise.reject(new AppError('UNREACHABLE', 'connection dropped'));
        if (result.exitCode !== 0) return Promise.reject(new AppError('PROGRAM_FAILED', result.stderr));
        return Promise.resolve(result);
      },
      observeVm: (machine: LabMachine, command: VmCommand) => Promise.resolve(onVm(machine.name, argvOf(command))),
      waitFor: async <T>(what: string, probe: () => Promise<T | undefined>) => {
        for (let attempt = 0; attempt < 3; attempt += 1) {
          const answer = await probe();
          if (answer !== undefined) return answer;
        }
        throw new AppError('TIMEOUT', `Gave up waiting for ${what}.`);
      },
    } as unknown as StepContext;
    for (const definition of definitions) {
      const outcome = await definition.run(ctx);
      outcomes.push([definition.id, outcome.status]);
      if (outcome.detail !== undefined) details.push(outcome.detail);
    }
    return outcomes;
  }

  const lab = {
    run,
    /** Set: a dropped reset goes on running on the server instead of finishing at once. */
    resetsInBackground: false,
    actions,
    details,
    resetFrom,
    server,
    paths: (name: string) => [...server(name).files.keys()],
  };
  return lab;
}
