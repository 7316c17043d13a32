import { describe, expect, it } from 'vitest';
import { downloadItems } from '../offline-kit/bundle-download';
import type { BundleFile } from './offline-bundle';
import { testPlan } from './test-plans';
import { checkBundleWindows, CONTAINERD_WINDOWS_VERSION, windowsBundleFiles, withBundleDownloads } from './windows-bundle';

const file = (relative: string): BundleFile => ({ relative });
const plan = testPlan({ offlineBundle: '/srv/bundle', windowsWorkers: 1 });

/**
 * An ABRIDGED stand-in for sig-windows-tools' PrepareNode.ps1, written by hand: its Param block,
 * its DownloadFile function as upstream writes it (curl.exe -Lo), and two of its downloads.
 */
const PREPARE_NODE = [
  'Param(',
  '    [parameter(Mandatory = $true)] [string] $KubernetesVersion',
  ')',
  "$ErrorActionPreference = 'Stop'",
  '',
  'function DownloadFile($destination, $source) {',
  '    Write-Host("Downloading $source to $destination")',
  '    curl.exe --silent --fail -Lo $destination $source',
  '}',
  '',
  'DownloadFile "$global:KubernetesPath\\kubeadm.exe" https://dl.k8s.io/$KubernetesVersion/bin/windows/amd64/kubeadm.exe',
  'DownloadFile nssm.zip https://k8stestinfrabinaries.blob.core.windows.net/nssm-mirror/nssm-2.24.zip',
  '',
].join('\r\n');

describe('Windows workers from an offline bundle', () => {
  it('the scripts’ DownloadFile copies the file of that name from the bundle in the machine, after the Param block', () => {
    const script = withBundleDownloads(PREPARE_NODE, 'PrepareNode.ps1');
    // Param stays the first statement (PowerShell requires it); the calls are unchanged.
    expect(script.startsWith('Param(')).toBe(true);
    expect(script).toContain('DownloadFile nssm.zip https://k8stestinfrabinaries.blob.core.windows.net/nssm-mirror/nssm-2.24.zip');
    const ours = script.indexOf('function DownloadFile($destination, $source) {');
    expect(script.slice(ours)).toMatch(
      /^function DownloadFile\(\$destination, \$source\) \{\n {4}\$file = Join-Path \(Join-Path \$HOME 'nestlab-bundle\\windows'\) \(Split-Path -Leaf \$source\)\n/,
    );
    expect(script).toContain('    Copy-Item -LiteralPath $file -Destination $destination -Force');
    // The upstream function is still there under another name, and nothing calls it.
    expect(script.match(/function DownloadFile\(/g)).toHaveLength(1);
    expect(script).toContain('function DownloadFileFromTheInternet($destination, $source) {\r\n    Write-Host("Downloading');
    expect(script).not.toMatch(/^\s*DownloadFileFromTheInternet /m);
    expect(script).toContain(
      "throw ('The offline bundle has no windows\\' + (Split-Path -Leaf $source) + ', which PrepareNode.ps1 would download from ' + $source + '. Add it to the bundle (npm run bundle -- --download --windows), then resume.')",
    );
  });

  it('refuses a script without the upstream DownloadFile, naming it', () => {
    expect(() => withBundleDownloads('Invoke-WebRequest https://example.invalid/x -OutFile x\n', 'PrepareNode.ps1')).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        message:
          'The offline bundle\'s windows/PrepareNode.ps1 has no "function DownloadFile($destination, $source) {", so Nestlab cannot make it install from the bundle instead of downloading.',
      }),
    );
  });

  it('a plan with Windows workers checks the bundle’s Windows files before the upload', () => {
    const all = windowsBundleFiles().map((name) => file(`windows/${name}`));
    expect(() => checkBundleWindows(plan, all)).not.toThrow();
    expect(() =>
      checkBundleWindows(
        plan,
        all.filter((entry) => !entry.relative.endsWith('.exe')),
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'NOT_FOUND',
        message:
          'The lab has Windows workers, but the offline bundle /srv/bundle has no windows/kubelet.exe, windows/kubeadm.exe: with a bundle, Windows workers install from it and download nothing.',
      }),
    );
    // No Windows workers, or the dry run's placeholder: nothing to check.
    expect(() => checkBundleWindows({ ...plan, windowsWorkers: 0 }, [])).not.toThrow();
    expect(() => checkBundleWindows(plan, [file('<each file of the bundle>')])).not.toThrow();
  });

  it('npm run bundle -- --download --windows fetches every file the check asks for', () => {
    const fetched = downloadItems({ kubernetesVersion: '1.30.8', windows: true })
      .filter((item) => item.to.startsWith('windows/'))
      .map((item) => item.to.slice('windows/'.length));
    expect(fetched.sort()).toEqual(windowsBundleFiles().sort());
    expect(windowsBundleFiles()).toContain(`containerd-${CONTAINERD_WINDOWS_VERSION}-windows-amd64.tar.gz`);
  });
});
