/**
 * Windows workers from an offline bundle: sig-windows-tools' Install-Containerd.ps1
 * and PrepareNode.ps1 download what they install (containerd's and crictl's Windows archives,
 * kubelet.exe, kubeadm.exe, nssm) through one function of theirs, DownloadFile($destination,
 * $source), with curl.exe. With a bundle, Nestlab points that function at the bundle's windows/
 * folder copied into the machine, so a Windows worker downloads nothing; a file the bundle lacks
 * stops the script naming it, instead of a download.
 */
import type { LabPlan } from '../../shared/contract/labs';
import { AppError } from '../../shared/errors';
import type { BundleFile } from './offline-bundle';

/** The containerd release Windows workers get (Install-Containerd.ps1 -ContainerDVersion). */
export const CONTAINERD_WINDOWS_VERSION = '1.7.22';
/** Install-Containerd.ps1's own default crictl release (Nestlab passes none). */
export const CRICTL_WINDOWS_VERSION = '1.27.0';

/** Where the bundle's windows/ folder is in a Windows machine (its copy in the SSH user's home). */
const VM_WINDOWS_FOLDER = 'nestlab-bundle\\windows';

/** What windows/ of a bundle must hold for Windows workers, by file name. */
export function windowsBundleFiles(): string[] {
  return [
    'Install-Containerd.ps1',
    'PrepareNode.ps1',
    `containerd-${CONTAINERD_WINDOWS_VERSION}-windows-amd64.tar.gz`,
    `crictl-v${CRICTL_WINDOWS_VERSION}-windows-amd64.tar.gz`,
    'kubelet.exe',
    'kubeadm.exe',
    'nssm-2.24.zip',
  ];
}

/**
 * A plan with Windows workers and a bundle needs the bundle's Windows files: checked before
 * anything is uploaded, not when the first Windows worker joins.
 * @throws AppError NOT_FOUND naming the missing files and the fix.
 */
export function checkBundleWindows(plan: LabPlan, files: readonly BundleFile[]): void {
  if (plan.windowsWorkers === 0 || files.some((file) => file.relative.startsWith('<'))) return;
  const missing = windowsBundleFiles().filter((name) => !files.some((file) => file.relative === `windows/${name}`));
  if (missing.length === 0) return;
  throw new AppError(
    'NOT_FOUND',
    `The lab has Windows workers, but the offline bundle ${plan.offlineBundle ?? ''} has no ${missing.map((name) => `windows/${name}`).join(', ')}: with a bundle, Windows workers install from it and download nothing.`,
    {
      fix: `Build the bundle with its Windows files (npm run bundle -- --download --windows on a connected machine, or --windows-dir with these files for Kubernetes ${plan.kubernetesVersion}), or plan no Windows workers, then resume.`,
      missing,
    },
  );
}

/** The upstream scripts' download function, as both define it. */
const UPSTREAM_DOWNLOAD = 'function DownloadFile($destination, $source) {';

/**
 * The script with its DownloadFile taking the file of the same name from the bundle's copy in
 * the machine (the upstream function stays, renamed and unused).
 * @throws AppError INVALID_INPUT when the script has no such function (another script, or one
 *   whose downloads Nestlab cannot redirect).
 */
export function withBundleDownloads(script: string, name: string): string {
  if (!script.includes(UPSTREAM_DOWNLOAD)) {
    throw new AppError(
      'INVALID_INPUT',
      `The offline bundle's windows/${name} has no "${UPSTREAM_DOWNLOAD}", so Nestlab cannot make it install from the bundle instead of downloading.`,
      {
        fix: `Put sig-windows-tools' hostprocess/${name} into the bundle (npm run bundle -- --download --windows fetches it at the commit Nestlab pins), then resume.`,
        file: `windows/${name}`,
      },
    );
  }
  const fromBundle = [
    '# Nestlab: with an offline bundle, every file this script downloads comes from the bundle copied into this machine.',
    'function DownloadFile($destination, $source) {',
    `    $file = Join-Path (Join-Path $HOME '${VM_WINDOWS_FOLDER}') (Split-Path -Leaf $source)`,
    '    if (-not (Test-Path -LiteralPath $file)) {',
    `        throw ('The offline bundle has no windows\\' + (Split-Path -Leaf $source) + ', which ${name} would download from ' + $source + '. Add it to the bundle (npm run bundle -- --download --windows), then resume.')`,
    '    }',
    '    Write-Host ("Copying " + $file + " to " + $destination + " (offline bundle; " + $source + " is not downloaded)")',
    '    Copy-Item -LiteralPath $file -Destination $destination -Force',
    '}',
    '',
    'function DownloadFileFromTheInternet($destination, $source) {',
  ].join('\n');
  return script.replace(UPSTREAM_DOWNLOAD, () => fromBundle);
}
