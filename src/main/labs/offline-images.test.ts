import { execFile } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LabMachine, LabPlan } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import type { ExecResult } from '../hosts/ssh-connection';
import { isDnsImage, offlineImageFlags } from './offline-images';
import type { StepContext, VmCommand } from './step-context';
import { tempDir } from '../../../tests/harness/temp-dir';

const run = promisify(execFile);
const machine = { name: 'lab1-cp1', os: 'linux', role: 'control-plane' } as LabMachine;
/** kubeadm 1.20.2's list for a v1.20.2 configuration (kubeadm config images list). */
const KUBEADM_120 = [
  'k8s.gcr.io/kube-apiserver:v1.20.2',
  'k8s.gcr.io/kube-controller-manager:v1.20.2',
  'k8s.gcr.io/kube-scheduler:v1.20.2',
  'k8s.gcr.io/kube-proxy:v1.20.2',
  'k8s.gcr.io/pause:3.2',
  'k8s.gcr.io/etcd:3.4.13-0',
  'k8s.gcr.io/coredns:1.7.0',
];
/** What Nestlab asks `kubeadm config images list` before init, and before a control plane's join. */
const INIT_LIST = ['--config', '/etc/nestlab/kubeadm.yaml'];
const JOIN_LIST = ['--kubernetes-version', 'v1.20.2'];
let dir: string;

beforeEach(async () => {
  dir = await tempDir('offline-images');
});

/** The VM's kubeadm lists `listed` when asked with `listArgs`; its ctr has `imported` (as `ctr images ls -q` prints them). */
async function vm(listed: string[], imported: string[], listArgs = INIT_LIST): Promise<void> {
  const tools: Record<string, string> = {
    kubeadm: `[ "$*" = 'config images list ${listArgs.join(' ')}' ] || exit 3\nprintf '%s\\n' ${listed.map((i) => `'${i}'`).join(' ')}`,
    ctr: `[ "$*" = '-n k8s.io images ls -q' ] || exit 3\nprintf '%s\\n' ${imported.map((i) => `'${i}'`).join(' ')} sha256:0123`,
  };
  for (const [name, body] of Object.entries(tools)) {
    await writeFile(join(dir, name), `#!/bin/sh\n${body}\n`);
    await chmod(join(dir, name), 0o755);
  }
}

/** A step context whose VM commands run here with the stand-in kubeadm and ctr first on PATH. */
function context(plan: Partial<LabPlan>): { ctx: StepContext; logged: string[] } {
  const logged: string[] = [];
  const ctx = {
    dry: false,
    plan: { offlineBundle: '/home/me/bundle', ...plan },
    log: (text: string) => logged.push(text),
    observeVm: async (_machine: LabMachine, command: VmCommand): Promise<ExecResult> => {
      if (!('argv' in command)) throw new Error('a Linux command was expected');
      const [file, ...args] = command.argv;
      try {
        const { stdout, stderr } = await run(file ?? '', args, { env: { PATH: `${dir}:/usr/bin:/bin` } });
        return { exitCode: 0, stdout, stderr };
      } catch (error) {
        const failed = error as { code: number; stdout: string; stderr: string };
        return { exitCode: failed.code, stdout: failed.stdout, stderr: failed.stderr };
      }
    },
  } as unknown as StepContext;
  return { ctx, logged };
}

describe("kubeadm init's images with an offline bundle", () => {
  it('runs kubeadm init as it is when the bundle brought every image', async () => {
    await vm(KUBEADM_120, KUBEADM_120);
    const { ctx, logged } = context({});
    expect(await offlineImageFlags(ctx, machine, 'kubeadm init', INIT_LIST)).toEqual([]);
    expect(logged).toEqual([]);
  });

  it('goes on without pulling when only CoreDNS is missing, and says its pods stay Pending', async () => {
    await vm(KUBEADM_120, KUBEADM_120.slice(0, -1));
    const { ctx, logged } = context({});
    expect(await offlineImageFlags(ctx, machine, 'kubeadm init', INIT_LIST)).toEqual(['--ignore-preflight-errors=ImagePull']);
    expect(logged.join('\n')).toMatch(/no k8s\.gcr\.io\/coredns:1\.7\.0: .*CoreDNS pods stay Pending/);
  });

  it("does the same before a control plane's join (its preflight pulls the control-plane images too), listing by the plan's version", async () => {
    await vm(KUBEADM_120, KUBEADM_120.slice(0, -1), JOIN_LIST);
    const { ctx, logged } = context({ kubernetesVersion: '1.20.2' });
    expect(await offlineImageFlags(ctx, { ...machine, name: 'lab1-cp2' }, 'kubeadm join', JOIN_LIST)).toEqual([
      '--ignore-preflight-errors=ImagePull',
    ]);
    expect(logged.join('\n')).toMatch(/no k8s\.gcr\.io\/coredns:1\.7\.0: kubeadm join goes on without pulling it/);
  });

  it('refuses a bundle without a control-plane image, naming each missing one and the fix', async () => {
    await vm(KUBEADM_120, ['k8s.gcr.io/kube-apiserver:v1.20.2', 'k8s.gcr.io/kube-scheduler:v1.20.2', 'k8s.gcr.io/pause:3.2']);
    const { ctx } = context({});
    const error = await offlineImageFlags(ctx, machine, 'kubeadm init', INIT_LIST).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('NOT_FOUND');
    expect((error as AppError).message).toBe(
      'The offline bundle has no k8s.gcr.io/kube-controller-manager:v1.20.2, k8s.gcr.io/kube-proxy:v1.20.2, k8s.gcr.io/etcd:3.4.13-0, which kubeadm init runs on lab1-cp1; nothing can be pulled without a registry.',
    );
    expect(JSON.stringify((error as AppError).details)).toContain('images/ folder');
  });

  it('checks nothing online or with a registry mirror (kubeadm pulls what is missing)', async () => {
    await vm(KUBEADM_120, []);
    expect(await offlineImageFlags(context({ offlineBundle: undefined }).ctx, machine, 'kubeadm init', INIT_LIST)).toEqual([]);
    expect(await offlineImageFlags(context({ registryMirror: 'https://mirror.lab:5000' }).ctx, machine, 'kubeadm init', INIT_LIST)).toEqual(
      [],
    );
  });

  it("leaves it to kubeadm's preflight when the list cannot be made", async () => {
    await writeFile(join(dir, 'kubeadm'), '#!/bin/sh\necho "could not read the config" >&2\nexit 1\n');
    await chmod(join(dir, 'kubeadm'), 0o755);
    await writeFile(join(dir, 'ctr'), '#!/bin/sh\nexit 0\n');
    await chmod(join(dir, 'ctr'), 0o755);
    expect(await offlineImageFlags(context({}).ctx, machine, 'kubeadm init', INIT_LIST)).toEqual([]);
  });

  it('knows the DNS image under both registries', () => {
    expect(isDnsImage('k8s.gcr.io/coredns:1.7.0')).toBe(true);
    expect(isDnsImage('registry.k8s.io/coredns/coredns:v1.11.1')).toBe(true);
    expect(isDnsImage('mirror.lab:5000/registry.k8s.io/coredns/coredns:v1.11.1')).toBe(true);
    expect(isDnsImage('k8s.gcr.io/etcd:3.4.13-0')).toBe(false);
  });
});
