/**
 * Windows workers, the upstream way (sig-windows-tools): containerd and PrepareNode.ps1 from the
 * offline bundle or a pinned commit, the registry mirror, then `kubeadm join` with a
 * JoinConfiguration in C:\nestlab (Administrators and SYSTEM only), removed once it has run.
 */
import { readFile } from 'node:fs/promises';
import { join as joinPath } from 'node:path';
import type { LabMachine, LabPlan } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import { PS_TEMP_SUFFIX, psLiteral, psWriteFileLines } from '../hosts/powershell';
import { joinCredentials } from './bootstrap';
import { kubeadmJoinConfig } from './kubeadm-config';
import { OFFLINE_BUNDLE_ADVICE, WINDOWS_NODE_SCRIPTS } from './pinned-scripts';
import type { PinnedScript } from './pinned-scripts';
import { containerdHostsFiles } from './registry-mirror';
import { addressOf, done, skipped } from './step-context';
import type { StepContext, StepOutcome } from './step-context';
import { CONTAINERD_WINDOWS_VERSION, withBundleDownloads } from './windows-bundle';

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
