/**
 * Turning machines into a cluster: kubeadm (Linux and Windows nodes, stacked or external etcd)
 * or k3s. Join credentials travel in files written over stdin (never on a command line or in a
 * log), and every step first looks for the file the tool leaves behind when it has run
 * (admin.conf, kubelet.conf, k3s.yaml), so a second `kubeadm init` never happens.
 */
import { readFile } from 'node:fs/promises';
import { join as joinPath } from 'node:path';
import type { LabMachine, LabPlan } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import { kubernetesPackageRepository } from '../../shared/kubernetes-versions';
import { PS_TEMP_SUFFIX, psLiteral, psWriteFileLines } from '../hosts/powershell';
import { etcdMembers } from './external-etcd';
import { LINUX_CERTS_D, configPathSed, containerdConfigSed, containerdHostsFiles } from './registry-mirror';
import { calicoResources, cniManifests, flannelNetConf, windowsCniManifests } from './cni-manifests';
import type { WindowsCniManifest } from './cni-manifests';
import { CONTROL_PLANE_WAIT_MINUTES, endpointOf, kubeadmInitConfig, kubeadmJoinConfig } from './kubeadm-config';
import { K3S_INSTALL_SCRIPT, OFFLINE_BUNDLE_ADVICE, WINDOWS_NODE_SCRIPTS } from './pinned-scripts';
import type { PinnedScript } from './pinned-scripts';
import { firstControlPlane } from './machines';
import { offlineInitFlags } from './offline-images';
import { removeVmFiles, writeVmFile } from './remote-file';
import { addressOf, done, skipped } from './step-context';
import { CONTAINERD_WINDOWS_VERSION, withBundleDownloads } from './windows-bundle';
import type { StepContext, StepOutcome } from './step-context';
import { apiServerSans } from './api-endpoint';

const ADMIN_CONF = '/etc/kubernetes/admin.conf';
const KUBELET_CONF = '/etc/kubernetes/kubelet.conf';
const K3S_CONF = '/etc/rancher/k3s/k3s.yaml';
const K3S_AGENT_MARK = '/etc/rancher/node/password';
const K3S_TOKEN_FILE = '/etc/nestlab/k3s-token';
const JOIN_CONFIG = '/etc/nestlab/join.yaml';

/** Where the cluster's admin kubeconfig is on the first control plane. */
export function adminKubeconfigPath(plan: LabPlan): string {
  return plan.distribution === 'k3s' ? K3S_CONF : ADMIN_CONF;
}

const kubectl = (...args: string[]) => ['kubectl', '--kubeconfig', ADMIN_CONF, ...args];

/** Parses `kubeadm token create --print-join-command`. */
export function parseJoinCommand(output: string): { token: string; caCertHash: string } {
  const token = /--token\s+(\S+)/.exec(output)?.[1];
  const caCertHash = /--discovery-token-ca-cert-hash\s+(\S+)/.exec(output)?.[1];
  if (token === undefined || caCertHash === undefined) {
    throw new AppError('PROGRAM_FAILED', 'kubeadm did not print a join command. Check the first control plane (kubeadm token list).');
  }
  return { token, caCertHash };
}

async function fileExists(ctx: StepContext, machine: LabMachine, path: string): Promise<boolean> {
  return (await ctx.observeVm(machine, { argv: ['test', '-f', path] }, { root: true })).exitCode === 0;
}

/**
 * `kubeadm init` (or the first k3s server) on the first control plane, only if it has not run.
 * `bootTimeoutMs`: the driver's boot wait; when longer than kubeadm's control-plane wait (software
 * emulation), kubeadm waits that long for the static pods.
 */
export async function bootstrapFirst(ctx: StepContext, machine: LabMachine, bootTimeoutMs = 0): Promise<StepOutcome> {
  const { plan } = ctx;
  if (await fileExists(ctx, machine, adminKubeconfigPath(plan))) return skipped(`${machine.name} already runs the control plane.`);
  const address = addressOf(ctx, machine);
  if (plan.distribution === 'k3s') {
    await ctx.vm(
      machine,
      {
        argv: k3sInstall(
          plan,
          machine,
          'server',
          plan.controlPlaneCount > 1 ? ['--cluster-init'] : [],
          apiServerSans(plan, address, ctx.hostAddress),
        ),
      },
      { root: true, timeoutMs: 900_000 },
    );
    return done();
  }
  const etcd = plan.etcd === 'external' ? etcdMembers(ctx).map((member) => member.address) : [];
  const waitMinutes = Math.max(CONTROL_PLANE_WAIT_MINUTES, Math.ceil(bootTimeoutMs / 60_000));
  const config = kubeadmInitConfig(plan, machine, address, etcd, ctx.hostAddress, waitMinutes);
  await writeVmFile(ctx, machine, '/etc/nestlab/kubeadm.yaml', config, { label: '<kubeadm.yaml>', mode: '0600' });
  const flags = await offlineInitFlags(ctx, machine, '/etc/nestlab/kubeadm.yaml');
  // kubeadm's own wait, plus the steps before and after it.
  await ctx.vm(
    machine,
    { argv: ['kubeadm', 'init', '--config', '/etc/nestlab/kubeadm.yaml', '--upload-certs', ...flags] },
    { root: true, timeoutMs: (waitMinutes + 5) * 60_000 },
  );
  return done();
}

/**
 * Runs the install script (pinned to a commit, see pinned-scripts.ts) only once it is whole on
 * disk (a download piped into a root shell runs whatever part arrived), prints its SHA-256 so the
 * lab log records what ran as root, and refuses it when a pinned checksum is given and differs.
 * $1 = URL, $2 = the pinned SHA-256 or '', then the script's arguments.
 */
export const K3S_ONLINE_INSTALL =
  'set -e; script=$(mktemp); trap \'rm -f "$script"\' EXIT; ' +
  `curl -sfL --proto =https --retry 3 -o "$script" "$1" || { code=$?; echo "Could not download the k3s install script from $1. ${OFFLINE_BUNDLE_ADVICE}" >&2; exit $code; }; ` +
  'expected=$2; shift 2; sum=$(sha256sum "$script" | cut -d " " -f 1); echo "k3s install script sha256 $sum"; ' +
  `if [ -n "$expected" ] && [ "$sum" != "$expected" ]; then echo "The k3s install script from the pinned commit has SHA-256 $sum, not the pinned $expected: it was not run. ${OFFLINE_BUNDLE_ADVICE}" >&2; exit 1; fi; ` +
  'sh "$script" "$@"';

/** The k3s install script with its arguments (from the offline bundle when there is one). */
function k3sInstall(plan: LabPlan, machine: LabMachine, mode: 'server' | 'agent', extra: string[], sans: readonly string[] = []): string[] {
  const env = [`INSTALL_K3S_VERSION=v${plan.kubernetesVersion}+k3s1`];
  const args = [mode, '--node-name', machine.name, ...extra];
  if (mode === 'server') {
    for (const san of sans.length > 0 ? sans : [plan.apiEndpoint.host]) args.push('--tls-san', san);
    args.push('--write-kubeconfig-mode', '0600');
    args.push('--cluster-cidr', plan.network.podCidr, '--service-cidr', plan.network.serviceCidr);
    if (plan.cni === 'calico') args.push('--flannel-backend', 'none', '--disable-network-policy');
  }
  if (plan.offlineBundle !== undefined) {
    return ['env', ...env, 'INSTALL_K3S_SKIP_DOWNLOAD=true', 'sh', '/opt/nestlab/bundle/k3s-install.sh', ...args];
  }
  return ['env', ...env, 'sh', '-c', K3S_ONLINE_INSTALL, 'k3s-install', K3S_INSTALL_SCRIPT.url, K3S_INSTALL_SCRIPT.sha256 ?? '', ...args];
}

/** A fresh join token (and, for control planes, the uploaded certificate key) from the first control plane. */
async function joinCredentials(
  ctx: StepContext,
  controlPlane: boolean,
): Promise<{ token: string; caCertHash: string; certificateKey?: string }> {
  const first = firstControlPlane(ctx.machines);
  const cacheKey = controlPlane ? 'join:control-plane' : 'join:worker';
  const cached = ctx.shared.get(cacheKey);
  if (cached !== undefined) return JSON.parse(cached) as { token: string; caCertHash: string; certificateKey?: string };
  if (ctx.dry)
    return { token: '<bootstrap token>', caCertHash: 'sha256:<CA hash>', ...(controlPlane ? { certificateKey: '<certificate key>' } : {}) };
  const printed = await ctx.vm(
    first,
    { argv: ['kubeadm', 'token', 'create', '--ttl', '2h', '--print-join-command'] },
    { root: true, secretOutput: true },
  );
  const join: { token: string; caCertHash: string; certificateKey?: string } = parseJoinCommand(printed.stdout);
  if (controlPlane) {
    const uploaded = await ctx.vm(
      first,
      { argv: ['kubeadm', 'init', 'phase', 'upload-certs', '--upload-certs'] },
      { root: true, secretOutput: true },
    );
    const key = uploaded.stdout.trim().split('\n').pop()?.trim();
    if (key === undefined || !/^[0-9a-f]{64}$/.test(key)) throw new AppError('PROGRAM_FAILED', 'kubeadm did not print a certificate key.');
    join.certificateKey = key;
  }
  ctx.shared.set(cacheKey, JSON.stringify(join));
  return join;
}

async function k3sToken(ctx: StepContext): Promise<string> {
  if (ctx.dry) return '<k3s token>';
  const cached = ctx.shared.get('k3s-token');
  if (cached !== undefined) return cached;
  const token = (
    await ctx.vm(
      firstControlPlane(ctx.machines),
      { argv: ['cat', '/var/lib/rancher/k3s/server/node-token'] },
      { root: true, secretOutput: true },
    )
  ).stdout.trim();
  ctx.shared.set('k3s-token', token);
  return token;
}

/** Runs `work`, then removes `paths` (the join secrets it used); a failure of `work` is what is reported. */
async function thenRemove(ctx: StepContext, machine: LabMachine, paths: readonly string[], work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    await removeVmFiles(ctx, machine, paths).catch(() => undefined);
    throw error;
  }
  await removeVmFiles(ctx, machine, paths);
}

/** Join a Linux control plane or worker, unless its kubelet already has a kubeconfig. */
export async function joinLinux(ctx: StepContext, machine: LabMachine): Promise<StepOutcome> {
  const { plan } = ctx;
  const controlPlane = machine.role === 'control-plane';
  const mark = plan.distribution === 'k3s' ? (controlPlane ? K3S_CONF : K3S_AGENT_MARK) : KUBELET_CONF;
  if (await fileExists(ctx, machine, mark)) return skipped(`${machine.name} is already a member.`);
  // Join secrets are readable by root only. k3s reads its --token-file at every start of the
  // service (an agent authenticates with it each time), so that file stays, 0600 like k3s' own
  // token files; kubeadm's join configuration is read once and goes when the join is over (also
  // when it failed: a resume writes a fresh one).
  if (plan.distribution === 'k3s') {
    await writeVmFile(ctx, machine, K3S_TOKEN_FILE, await k3sToken(ctx), { label: '<k3s token>', mode: '0600' });
    const server = ['--server', `https://${endpointOf(plan)}`, '--token-file', K3S_TOKEN_FILE];
    await ctx.vm(
      machine,
      {
        argv: k3sInstall(
          plan,
          machine,
          controlPlane ? 'server' : 'agent',
          server,
          controlPlane ? apiServerSans(plan, addressOf(ctx, machine), ctx.hostAddress) : [],
        ),
      },
      { root: true, timeoutMs: 900_000 },
    );
    return done();
  }
  const join = await joinCredentials(ctx, controlPlane);
  await writeVmFile(ctx, machine, JOIN_CONFIG, kubeadmJoinConfig(plan, machine, join, addressOf(ctx, machine)), {
    label: '<join.yaml>',
    mode: '0600',
  });
  await thenRemove(ctx, machine, [JOIN_CONFIG], () =>
    ctx.vm(machine, { argv: ['kubeadm', 'join', '--config', JOIN_CONFIG] }, { root: true, timeoutMs: 900_000 }),
  );
  return done();
}

/** Windows workers' scripts in an offline bundle (this computer's bundle folder), instead of a download. */
export const WINDOWS_BUNDLE_SCRIPTS = {
  installContainerd: 'windows/Install-Containerd.ps1',
  prepareNode: 'windows/PrepareNode.ps1',
} as const;

/** The contents of the Windows node scripts, when they come from the offline bundle. */
export interface WindowsNodeScripts {
  installContainerd: string;
  prepareNode: string;
}

/**
 * C:\nestlab for Administrators and SYSTEM only: a folder made under C:\ lets every
 * authenticated user modify the files in it, and the scripts there run as Administrator.
 */
const LOCK_NESTLAB_FOLDER = [
  "New-Item -ItemType Directory -Force -Path 'C:\\nestlab' | Out-Null",
  "& icacls.exe 'C:\\nestlab' /inheritance:r /grant:r 'Administrators:(OI)(CI)F' 'SYSTEM:(OI)(CI)F' | Out-Null",
  'if ($LASTEXITCODE -ne 0) { throw "icacls could not restrict C:\\nestlab" }',
];

/**
 * Downloads a pinned script into C:\nestlab, prints its SHA-256 for the lab log and, where a
 * checksum is pinned, refuses other content before anything runs it.
 */
function downloadPinned(script: PinnedScript): string[] {
  const path = psLiteral(`C:\\nestlab\\${script.name}`);
  // Downloaded beside its place and moved there once whole and checked.
  const temp = psLiteral(`C:\\nestlab\\${script.name}${PS_TEMP_SUFFIX}`);
  const lines = [
    '  try {',
    `    Invoke-WebRequest -UseBasicParsing ${psLiteral(script.url)} -OutFile ${temp}`,
    '  } catch {',
    `    throw (${psLiteral(`Could not download ${script.name} from ${script.url}: `)} + $_.Exception.Message + ${psLiteral(` ${OFFLINE_BUNDLE_ADVICE}`)})`,
    '  }',
    `  $sha256 = (Get-FileHash -Algorithm SHA256 -LiteralPath ${temp}).Hash.ToLowerInvariant()`,
    `  Write-Output (${psLiteral(`${script.name} sha256 `)} + $sha256)`,
  ];
  if (script.sha256 !== undefined) {
    lines.push(
      `  if ($sha256 -ne ${psLiteral(script.sha256)}) {`,
      `    Remove-Item -LiteralPath ${temp} -Force`,
      `    throw (${psLiteral(`${script.name} from ${script.url} has SHA-256 `)} + $sha256 + ${psLiteral(`, not the pinned ${script.sha256}: it was not run. ${OFFLINE_BUNDLE_ADVICE}`)})`,
      '  }',
    );
  }
  lines.push(`  Move-Item -LiteralPath ${temp} -Destination ${path} -Force`);
  return lines;
}

/**
 * A Windows worker, the upstream way (sig-windows-tools): containerd, then PrepareNode.ps1 for
 * kubelet and kubeadm of the plan's version, then `kubeadm join` with a JoinConfiguration file.
 * With an offline bundle the two scripts come from it (what runs as Administrator is what the
 * user put there); without one they are downloaded from a pinned sig-windows-tools commit.
 */
export function windowsPrepareScript(
  plan: LabPlan,
  bundled?: WindowsNodeScripts,
  pinned: Record<keyof WindowsNodeScripts, PinnedScript> = WINDOWS_NODE_SCRIPTS,
): string {
  const fetch = (script: PinnedScript, content: string | undefined) =>
    content === undefined
      ? downloadPinned(script)
      : psWriteFileLines(psLiteral(`C:\\nestlab\\${script.name}`), psLiteral(content), { encoding: 'utf8' }).map((line) => `  ${line}`);
  return [
    '# nestlab:prepare-windows-node',
    "$ErrorActionPreference = 'Stop'",
    ...LOCK_NESTLAB_FOLDER,
    'if (-not (Get-Service -Name containerd -ErrorAction SilentlyContinue)) {',
    ...fetch(pinned.installContainerd, bundled?.installContainerd),
    `  & 'C:\\nestlab\\Install-Containerd.ps1' -ContainerDVersion ${psLiteral(CONTAINERD_WINDOWS_VERSION)}`,
    '}',
    'if (-not (Get-Service -Name kubelet -ErrorAction SilentlyContinue)) {',
    ...fetch(pinned.prepareNode, bundled?.prepareNode),
    `  & 'C:\\nestlab\\PrepareNode.ps1' -KubernetesVersion ${psLiteral(`v${plan.kubernetesVersion}`)}`,
    '}',
    ...windowsMirrorLines(plan),
    '',
  ].join('\n');
}

/**
 * The registry mirror on a Windows worker (every time: the plan's registries may have changed):
 * hosts.toml per registry in containerd's certs.d, config.toml's config_path pointed there (as
 * Install-Containerd.ps1 writes it, from `containerd config default`: config_path = ""), and
 * containerd restarted so it reads them.
 */
function windowsMirrorLines(plan: LabPlan): string[] {
  const files = containerdHostsFiles(plan, 'windows');
  if (files.length === 0) return [];
  return [
    "$containerd = Join-Path $env:ProgramFiles 'containerd'",
    ...files.flatMap(({ registry, content }) => [
      `$file = Join-Path $containerd ${psLiteral(`certs.d\\${registry}\\hosts.toml`)}`,
      'New-Item -ItemType Directory -Force -Path (Split-Path -Parent $file) | Out-Null',
      ...psWriteFileLines('$file', psLiteral(content), { encoding: 'ascii' }),
    ]),
    "$certs = (Join-Path $containerd 'certs.d').Replace('\\', '/')",
    "$config = Join-Path $containerd 'config.toml'",
    "$text = (Get-Content -LiteralPath $config) -replace '^(\\s*)config_path = .*$', ('$1config_path = \"' + $certs + '\"')",
    ...psWriteFileLines('$config', '$text', { encoding: 'ascii' }),
    'Restart-Service containerd',
  ];
}

/**
 * The Windows join: C:\nestlab is for Administrators and SYSTEM only, the JoinConfiguration with
 * its token is written there and removed once kubeadm has run, whatever its outcome.
 */
export function windowsJoinScript(joinYaml: string): string {
  return [
    '# nestlab:join-windows',
    "$ErrorActionPreference = 'Stop'",
    ...LOCK_NESTLAB_FOLDER,
    'try {',
    ...psWriteFileLines("'C:\\nestlab\\join.yaml'", psLiteral(joinYaml), { encoding: 'ascii' }).map((line) => `  ${line}`),
    "  & kubeadm.exe join --config 'C:\\nestlab\\join.yaml'",
    '  $code = $LASTEXITCODE',
    '} finally {',
    "  Remove-Item -LiteralPath 'C:\\nestlab\\join.yaml' -Force -ErrorAction SilentlyContinue",
    '}',
    'if ($code -ne 0) { exit $code }',
    '',
  ].join('\n');
}

/** The Windows node scripts of the plan's offline bundle (placeholders in a dry run); undefined without a bundle. */
async function bundledWindowsScripts(ctx: StepContext): Promise<WindowsNodeScripts | undefined> {
  const bundle = ctx.plan.offlineBundle;
  if (bundle === undefined || bundle === '') return undefined;
  if (ctx.dry) return { installContainerd: '<Install-Containerd.ps1 from the bundle>', prepareNode: '<PrepareNode.ps1 from the bundle>' };
  const read = async (relative: string) => {
    try {
      return await readFile(joinPath(bundle, ...relative.split('/')), 'utf8');
    } catch {
      throw new AppError('NOT_FOUND', `The offline bundle ${bundle} has no ${relative}, which Windows workers run as Administrator.`, {
        fix: `Put sig-windows-tools' hostprocess/Install-Containerd.ps1 and PrepareNode.ps1, of a version you checked, into ${joinPath(bundle, 'windows')}, then resume.`,
        path: joinPath(bundle, ...relative.split('/')),
      });
    }
  };
  // Their downloads come from the bundle's windows/, copied into the machine before they run.
  return {
    installContainerd: withBundleDownloads(await read(WINDOWS_BUNDLE_SCRIPTS.installContainerd), 'Install-Containerd.ps1'),
    prepareNode: withBundleDownloads(await read(WINDOWS_BUNDLE_SCRIPTS.prepareNode), 'PrepareNode.ps1'),
  };
}

export const WINDOWS_JOINED_PROBE = [
  '# nestlab:observe-windows-join',
  "if (Test-Path 'C:\\etc\\kubernetes\\kubelet.conf') { 'joined' } else { 'absent' }",
  '',
].join('\n');

/** `copyBundle` copies the offline bundle into the machine (nestlab-bundle in its user's home), whose windows/ the node scripts install from. */
export async function joinWindows(ctx: StepContext, machine: LabMachine, copyBundle?: () => Promise<void>): Promise<StepOutcome> {
  const probe = await ctx.observeVm(machine, { powershell: WINDOWS_JOINED_PROBE });
  if (probe.exitCode === 0 && probe.stdout.trim() === 'joined') return skipped(`${machine.name} is already a member.`);
  const bundled = await bundledWindowsScripts(ctx);
  if (bundled !== undefined && copyBundle !== undefined) {
    ctx.progress(0.1, 'offline bundle');
    await copyBundle();
  }
  ctx.progress(0.2, 'containerd, kubelet, kubeadm');
  await ctx.vm(machine, { powershell: windowsPrepareScript(ctx.plan, bundled) }, { timeoutMs: 1_200_000 });
  ctx.progress(0.6, 'kubeadm join');
  const join = await joinCredentials(ctx, false);
  await ctx.vm(
    machine,
    { powershell: windowsJoinScript(kubeadmJoinConfig(ctx.plan, machine, join, addressOf(ctx, machine))) },
    { timeoutMs: 900_000, stdinLabel: '<join script>' },
  );
  return done();
}

/**
 * Applies a Windows CNI manifest (a hostProcess DaemonSet that runs as SYSTEM on Windows nodes):
 * fetched from its pinned commit (or read from the offline bundle) into a temporary file, its
 * SHA-256 printed for the lab log and checked where one is pinned, its placeholders replaced as
 * upstream's docs do with sed (a bundle copy that has them replaced already is applied as it is),
 * then `kubectl apply -f -`. $1 = source, $2 = pinned SHA-256 or '', then placeholder and sed
 * expression pairs.
 */
export const WINDOWS_MANIFEST_APPLY =
  'set -e; file=$(mktemp); trap \'rm -f "$file"\' EXIT; src=$1; expected=$2; shift 2; ' +
  'case "$src" in https://*) ' +
  `curl -fsSL --proto =https --retry 3 -o "$file" "$src" || { code=$?; echo "Could not download $src. ${OFFLINE_BUNDLE_ADVICE}" >&2; exit $code; };; ` +
  '*) cat -- "$src" > "$file";; esac; ' +
  'sum=$(sha256sum "$file" | cut -d " " -f 1); echo "$src sha256 $sum"; ' +
  `if [ -n "$expected" ] && [ "$sum" != "$expected" ]; then echo "$src has SHA-256 $sum, not the pinned $expected: it was not applied. ${OFFLINE_BUNDLE_ADVICE}" >&2; exit 1; fi; ` +
  'while [ $# -gt 0 ]; do if grep -qF -- "$1" "$file"; then sed -i -e "$2" "$file"; echo "$src: replaced $1"; ' +
  'else echo "$src has no $1 to replace: applied as it is"; fi; shift 2; done; ' +
  `kubectl --kubeconfig ${ADMIN_CONF} apply -f - < "$file"`;

/** A sed s command (| as the delimiter) that replaces the text `from` with the text `to`. */
export function sedReplace(from: string, to: string): string {
  const pattern = from.replace(/[\\.*[\]^$|]/g, (c) => `\\${c}`);
  const replacement = to.replace(/[\\&|]/g, (c) => `\\${c}`);
  return `s|${pattern}|${replacement}|g`;
}

/** The argv that applies one Windows CNI manifest with WINDOWS_MANIFEST_APPLY. */
function windowsManifestApply(manifest: WindowsCniManifest): string[] {
  const pairs = manifest.substitutions.flatMap(({ placeholder, value }) => [placeholder, sedReplace(placeholder, value)]);
  return ['sh', '-c', WINDOWS_MANIFEST_APPLY, 'windows-cni', manifest.source, manifest.pinned.sha256 ?? '', ...pairs];
}

/**
 * The network plugin of the offline bundle's cni/ (installed on every node with the bundle):
 * nothing is applied to the cluster; each Linux node is checked to have a network configuration
 * where containerd looks, so a node that would stay NotReady is named here.
 */
async function bundleCni(ctx: StepContext): Promise<StepOutcome> {
  const configurations = new Set<string>();
  for (const machine of ctx.machines.filter((candidate) => candidate.os === 'linux' && candidate.role !== 'etcd')) {
    if (machine.address === undefined && !ctx.dry) continue;
    const listed = await ctx.observeVm(machine, { argv: ['ls', '/etc/cni/net.d'] });
    const files = listed.stdout.split('\n').filter((name) => /\.(conf|conflist|json)$/.test(name));
    if (!ctx.dry && (listed.exitCode !== 0 || files.length === 0)) {
      throw new AppError(
        'NOT_FOUND',
        `${machine.name} has no CNI network configuration in /etc/cni/net.d, so its node cannot become Ready.`,
        {
          fix: 'Put a network configuration (a .conflist) into cni/net.d/ of the offline bundle, delete the lab and create it again (the bundle is installed once per machine), or choose Flannel or Calico.',
        },
      );
    }
    for (const file of files) configurations.add(file);
  }
  return done(`the offline bundle's ${[...configurations].join(', ') || 'cni/net.d/'} on every node; nothing to apply`);
}

/**
 * Apply the CNI on the first control plane (kubeadm; k3s brings flannel itself): the upstream
 * manifests, then what is generated from the plan's pod range (cni-manifests.ts). flannel reads its
 * net-conf.json when it starts, so its pods restart after the patch.
 */
export async function applyCni(ctx: StepContext, windows: boolean): Promise<StepOutcome> {
  const { plan } = ctx;
  const first = firstControlPlane(ctx.machines);
  if (plan.distribution === 'k3s' && plan.cni === 'flannel') return skipped('k3s runs flannel itself.');
  if (plan.cni === 'bundle') return bundleCni(ctx);
  const marker = windows ? `nestlab-cni-${plan.cni}-windows` : `nestlab-cni-${plan.cni}`;
  const observed = await ctx.observeVm(first, { argv: kubectl('get', 'configmap', '-n', 'kube-system', marker) }, { root: true });
  if (observed.exitCode === 0) return skipped(`${plan.cni} is applied.`);
  for (const manifest of cniManifests(plan)) {
    await ctx.vm(first, { argv: kubectl('apply', '-f', manifest) }, { root: true, timeoutMs: 180_000 });
  }
  if (windows) {
    for (const manifest of windowsCniManifests(plan)) {
      await ctx.vm(first, { argv: windowsManifestApply(manifest) }, { root: true, timeoutMs: 180_000 });
    }
  }
  if (plan.cni === 'calico') {
    await ctx.vm(
      first,
      { argv: kubectl('apply', '-f', '-') },
      { root: true, stdin: calicoResources(plan, windows), stdinLabel: '<Calico Installation for the pod range>', timeoutMs: 180_000 },
    );
  } else {
    const patch = JSON.stringify({ data: { 'net-conf.json': flannelNetConf(plan, windows) } });
    await ctx.vm(
      first,
      { argv: kubectl('patch', 'configmap', '-n', 'kube-flannel', 'kube-flannel-cfg', '--type', 'merge', '-p', patch) },
      { root: true },
    );
    await ctx.vm(first, { argv: kubectl('rollout', 'restart', 'daemonset', '-n', 'kube-flannel', 'kube-flannel-ds') }, { root: true });
  }
  // A marker that the manifests went in, so a resume does not apply them again.
  await ctx.vm(
    first,
    { argv: kubectl('create', 'configmap', '-n', 'kube-system', marker, `--from-literal=cni=${plan.cni}`) },
    { root: true },
  );
  return done();
}

/**
 * Offline: the bundle's layout is debs/*.deb (containerd, kubelet, kubeadm, kubectl), bin/ (tools
 * without a package, e.g. crictl, which kubeadm before 1.24 requires: into /usr/local/bin),
 * cni/bin/ and cni/net.d/ (CNI plugins into /opt/cni/bin, where containerd looks, and network
 * configurations into /etc/cni/net.d), images/*.tar (imported into containerd's k8s.io
 * namespace), manifests/ (CNI) and k3s-install.sh + k3s.
 *
 * kubeadm labs: containerd's config.toml is written here, after the packages, from
 * `containerd config default` (systemd cgroups, the mirror's config_path), and containerd is
 * restarted before the images go in: on a bare image containerd only exists once the bundle's
 * debs/ are installed (cloud-init ran before that and cannot write it).
 */
export function offlineInstallScript(plan: LabPlan): string {
  const containerdConfig =
    plan.distribution === 'kubeadm'
      ? 'command -v containerd >/dev/null 2>&1 || { echo "containerd is not installed: the machine image has none and debs/ of the offline bundle holds no containerd package. Put containerd and runc .debs (and what they depend on) into debs/ of the bundle, or use an image with containerd, then resume." >&2; exit 1; }; ' +
        'mkdir -p /etc/containerd; ' +
        'containerd config default > /etc/containerd/config.toml.default; ' +
        // Written beside it and renamed: a session cut while sed writes leaves the old file whole.
        `sed ${containerdConfigSed(plan)} /etc/containerd/config.toml.default > /etc/containerd/config.toml.nestlab-tmp; ` +
        'mv -f /etc/containerd/config.toml.nestlab-tmp /etc/containerd/config.toml; ' +
        'rm -f /etc/containerd/config.toml.default; systemctl restart containerd; '
      : '';
  return (
    'set -e; cp -r nestlab-bundle/. /opt/nestlab/bundle/; ' +
    'if ls /opt/nestlab/bundle/debs/*.deb >/dev/null 2>&1; then dpkg -i /opt/nestlab/bundle/debs/*.deb; fi; ' +
    'for package in kubelet kubeadm kubectl; do if dpkg-query -W "$package" >/dev/null 2>&1; then apt-mark hold "$package"; fi; done; ' +
    containerdConfig +
    'for tool in /opt/nestlab/bundle/bin/*; do [ -f "$tool" ] && install -D -m 755 "$tool" "/usr/local/bin/${tool##*/}"; done; ' +
    'for plugin in /opt/nestlab/bundle/cni/bin/*; do [ -f "$plugin" ] && install -D -m 755 "$plugin" "/opt/cni/bin/${plugin##*/}"; done; ' +
    'for conf in /opt/nestlab/bundle/cni/net.d/*; do [ -f "$conf" ] && install -D -m 644 "$conf" "/etc/cni/net.d/${conf##*/}"; done; ' +
    'if [ -f /opt/nestlab/bundle/k3s ]; then install -m 755 /opt/nestlab/bundle/k3s /usr/local/bin/k3s; fi; ' +
    'for image in /opt/nestlab/bundle/images/*.tar; do [ -f "$image" ] && ctr -n k8s.io images import "$image"; done; true'
  );
}

/** Copies the offline bundle into a Linux VM and installs it (packages, containerd's configuration, images, k3s), unless it was. */
export async function installBundle(ctx: StepContext, machine: LabMachine, copy: () => Promise<void>): Promise<void> {
  if (ctx.plan.offlineBundle === undefined || machine.os === 'windows') return;
  if (await fileExists(ctx, machine, '/opt/nestlab/bundle.installed')) return;
  await copy();
  await ctx.vm(machine, { argv: ['mkdir', '-p', '/opt/nestlab/bundle'] }, { root: true });
  await ctx.vm(machine, { argv: ['sh', '-c', offlineInstallScript(ctx.plan)] }, { root: true, timeoutMs: 900_000 });
  await ctx.vm(machine, { argv: ['touch', '/opt/nestlab/bundle.installed'] }, { root: true });
}

/**
 * Waits for cloud-init to finish on a VM (Linux) after SSH answers: 10 minutes, or the driver's
 * boot time when longer (under QEMU software emulation on a busy host, sshd in a guest that had
 * its address took over 10 minutes to answer in the real-libvirt tier).
 */
export async function waitForSsh(ctx: StepContext, machine: LabMachine, timeoutMs = 600_000): Promise<StepOutcome> {
  const probe = machine.os === 'windows' ? { powershell: "# nestlab:ping\n'ready'\n" } : { argv: ['cloud-init', 'status', '--wait'] };
  let finishedWithErrors = false;
  await ctx.waitFor(
    `SSH on ${machine.name}`,
    async () => {
      const result = await ctx.observeVm(machine, probe, { timeoutMs: 600_000 });
      if (result.exitCode === 0) return true;
      // cloud-init ran to its end but a module failed (`status: error`, exit 1; newer releases say
      // `status: done` with exit 2): the machine is up, so say what failed and go on rather than
      // wait for a status that will not change (an SSH failure is exit 255 with no status line).
      finishedWithErrors = machine.os !== 'windows' && /^status: (error|done)\b/m.test(result.stdout);
      return finishedWithErrors ? true : undefined;
    },
    { timeoutMs: Math.max(600_000, timeoutMs), intervalMs: 2_000, placeholder: true },
  );
  if (!finishedWithErrors) return done();
  const detail = (await ctx.observeVm(machine, { argv: ['cloud-init', 'status', '--long'] })).stdout.trim();
  ctx.log(`cloud-init on ${machine.name} finished with errors (see /var/log/cloud-init.log there):\n${detail}`);
  return done('cloud-init finished with errors; see the log.');
}

/**
 * Lines of a root shell script (under `set -e`) that write what `producer` prints (fed a quoted
 * heredoc when one is given: nothing in it is expanded) to `path`
 * through a temporary file beside it, renamed over `path` only once the producer finished: a
 * script cut off mid-write (a dropped connection) leaves the old file, never half of one that a
 * resume, which skips the install once kubeadm is there, would keep.
 */
function shWriteFile(path: string, producer: string, heredoc?: { delimiter: string; body: string }): string {
  const input = heredoc === undefined ? '' : ` <<'${heredoc.delimiter}'\n${heredoc.body}${heredoc.delimiter}\n`;
  return `t=$(mktemp ${path}.XXXXXX); ${producer} >"$t"${input}${input === '' ? '; ' : ''}chmod 0644 "$t"; mv -f "$t" ${path}`;
}

/**
 * Existing machines: containerd, kubelet, kubeadm and kubectl from pkgs.k8s.io for the plan's
 * minor version (Debian / Ubuntu, the upstream "Installing kubeadm" steps), swap off and the
 * kernel settings kubeadm's preflight checks. Plan validation refuses versions pkgs.k8s.io does
 * not have (the version table's install source).
 */
export function kubeadmInstallScript(plan: LabPlan): string {
  const repo = kubernetesPackageRepository(plan.kubernetesVersion);
  const keyring = '/etc/apt/keyrings/kubernetes-apt-keyring.gpg';
  return [
    'set -e',
    'export DEBIAN_FRONTEND=noninteractive',
    'apt-get update',
    'apt-get install -y apt-transport-https ca-certificates curl gpg containerd',
    'mkdir -p /etc/apt/keyrings /etc/containerd',
    `curl -fsSL ${repo}Release.key | gpg --dearmor --yes -o ${keyring}`,
    shWriteFile('/etc/apt/sources.list.d/kubernetes.list', `echo 'deb [signed-by=${keyring}] ${repo} /'`),
    'apt-get update',
    'apt-get install -y kubelet kubeadm kubectl',
    'apt-mark hold kubelet kubeadm kubectl',
    shWriteFile('/etc/containerd/config.toml', 'containerd config default | sed "s/SystemdCgroup = false/SystemdCgroup = true/"'),
    ...linuxMirrorCommands(plan),
    'swapoff -a',
    "sed -i '/ swap / s/^/#/' /etc/fstab",
    'modprobe overlay',
    'modprobe br_netfilter',
    shWriteFile('/etc/sysctl.d/99-kubernetes.conf', "printf 'net.bridge.bridge-nf-call-iptables = 1\\nnet.ipv4.ip_forward = 1\\n'"),
    'sysctl --system',
    'systemctl restart containerd',
    'systemctl enable --now kubelet',
  ].join('\n');
}

/**
 * The registry mirror on a machine whose containerd Nestlab installs: a hosts.toml per registry
 * the lab pulls from (quoted heredocs: nothing in them is expanded), and config.toml's
 * config_path pointed at their folder. None without a mirror.
 */
function linuxMirrorCommands(plan: LabPlan): string[] {
  const files = containerdHostsFiles(plan, 'linux');
  if (files.length === 0) return [];
  return [
    ...files.flatMap(({ registry, content }) => [
      `mkdir -p ${LINUX_CERTS_D}/${registry}`,
      shWriteFile(`${LINUX_CERTS_D}/${registry}/hosts.toml`, 'cat', { delimiter: 'NESTLAB_HOSTS_TOML', body: content }),
    ]),
    `sed -i '${configPathSed(LINUX_CERTS_D)}' /etc/containerd/config.toml`,
  ];
}

/**
 * Existing machines: Kubernetes' tools, unless they are there. k3s installs itself when it
 * bootstraps or joins; Windows machines get theirs in the join step (PrepareNode.ps1).
 */
export async function ensureKubernetesTools(ctx: StepContext, machine: LabMachine): Promise<StepOutcome> {
  if (ctx.plan.distribution === 'k3s') return skipped('The k3s install script brings everything when the machine joins.');
  if (machine.os === 'windows') return skipped('containerd, kubelet and kubeadm are installed by the join step (PrepareNode.ps1).');
  const installed = await ctx.observeVm(machine, { argv: ['kubeadm', 'version', '-o', 'short'] });
  if (installed.exitCode === 0) return skipped(`kubeadm ${installed.stdout.trim()} is installed.`);
  await ctx.vm(
    machine,
    { argv: ['sh', '-s'] },
    { root: true, stdin: kubeadmInstallScript(ctx.plan), stdinLabel: '<install kubeadm script>', timeoutMs: 900_000 },
  );
  return done();
}
