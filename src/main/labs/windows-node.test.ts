import { describe, expect, it } from 'vitest';
import type { HostSummary } from '../../shared/contract/hosts';
import { windowsJoinScript, windowsPrepareScript } from './bootstrap';
import { useDryRunLabs } from './dry-run-labs.test-support';
import { WINDOWS_NODE_SCRIPTS } from './pinned-scripts';
import { testPlan } from './test-plans';

const host = { id: 'host-1', name: 'kvm-lab', os: 'linux', storagePath: '/var/lib/libvirt/images' } as HostSummary;
const labs = useDryRunLabs(() => Promise.resolve(host));

/** Index of the first line matching `pattern` (-1 when none does). */
const lineOf = (script: string, pattern: RegExp) => script.split('\n').findIndex((line) => pattern.test(line));

describe('Windows node scripts', () => {
  it('lock C:\\nestlab to Administrators and SYSTEM before any script or secret is written there', () => {
    for (const script of [windowsPrepareScript(testPlan()), windowsJoinScript('token: x')]) {
      const lock = lineOf(
        script,
        /icacls\.exe 'C:\\nestlab' \/inheritance:r \/grant:r 'Administrators:\(OI\)\(CI\)F' 'SYSTEM:\(OI\)\(CI\)F'/,
      );
      expect(lock).toBeGreaterThan(0);
      const firstWrite = lineOf(script, /Invoke-WebRequest|Set-Content/);
      expect(firstWrite).toBeGreaterThan(lock);
    }
  });

  it('with an offline bundle, write the bundle scripts instead of downloading anything', () => {
    const script = windowsPrepareScript(testPlan(), { installContainerd: '# containerd ’x’\n', prepareNode: '# prepare\n' });
    expect(script).not.toContain('Invoke-WebRequest');
    expect(script).toContain("Set-Content -LiteralPath 'C:\\nestlab\\Install-Containerd.ps1' -Encoding utf8 -Value '# containerd ’’x’’\n'");
    expect(script).toContain("Set-Content -LiteralPath 'C:\\nestlab\\PrepareNode.ps1' -Encoding utf8 -Value '# prepare\n'");
    expect(script).toContain("& 'C:\\nestlab\\PrepareNode.ps1' -KubernetesVersion 'v1.30.8'");
  });

  it('the dry run of a lab with a bundle lists the prepare script with the bundled files', async () => {
    const steps = await labs.steps(testPlan({ offlineBundle: '/home/me/nestlab-bundle', windowsWorkers: 1 }));
    const join = steps.find((step) => step.id === 'join:lab1-win1');
    const prepare = join?.commands.find((command) => command.display.includes('nestlab:prepare-windows-node'))?.display ?? '';
    expect(prepare).toContain('<PrepareNode.ps1 from the bundle>');
    expect(prepare).not.toContain('Invoke-WebRequest');
  });

  it('without a bundle, download sig-windows-tools scripts pinned to commits, print their SHA-256 and run them with parameters those versions take', () => {
    const script = windowsPrepareScript(testPlan());
    for (const pinned of Object.values(WINDOWS_NODE_SCRIPTS)) {
      expect(pinned.url).toMatch(
        /^https:\/\/raw\.githubusercontent\.com\/kubernetes-sigs\/sig-windows-tools\/[0-9a-f]{40}\/hostprocess\/[A-Za-z-]+\.ps1$/,
      );
      expect(pinned.url.endsWith(`/${pinned.name}`)).toBe(true);
      expect(script).toContain(`Invoke-WebRequest -UseBasicParsing '${pinned.url}' -OutFile 'C:\\nestlab\\${pinned.name}'`);
      expect(script).toContain(`Write-Output ('${pinned.name} sha256 ' + $sha256)`);
    }
    // Every download in the script is one of the pinned ones: no branch (master) or tag.
    const downloads = [...script.matchAll(/Invoke-WebRequest -UseBasicParsing '([^']+)'/g)].map((match) => match[1]);
    expect(downloads).toEqual([WINDOWS_NODE_SCRIPTS.installContainerd.url, WINDOWS_NODE_SCRIPTS.prepareNode.url]);
    expect(script).not.toContain('/master/');
    // Install-Containerd.ps1 and PrepareNode.ps1 at those commits take -ContainerDVersion and -KubernetesVersion.
    expect(lineOf(script, /^ {2}& 'C:\\nestlab\\Install-Containerd\.ps1' -ContainerDVersion '1\.7\.22'$/)).toBeGreaterThan(0);
    expect(lineOf(script, /^ {2}& 'C:\\nestlab\\PrepareNode\.ps1' -KubernetesVersion 'v1\.30\.8'$/)).toBeGreaterThan(0);
    // A failed download says what failed and names the offline bundle.
    expect(script).toContain(
      `throw ('Could not download PrepareNode.ps1 from ${WINDOWS_NODE_SCRIPTS.prepareNode.url}: ' + $_.Exception.Message + ' An offline bundle`,
    );
  });

  it('a pinned checksum is compared before the script runs, and other content is removed unrun', () => {
    const installContainerd = { ...WINDOWS_NODE_SCRIPTS.installContainerd, sha256: 'a'.repeat(64) };
    const script = windowsPrepareScript(testPlan(), undefined, { ...WINDOWS_NODE_SCRIPTS, installContainerd });
    const check = lineOf(script, new RegExp(`^ {2}if \\(\\$sha256 -ne '${'a'.repeat(64)}'\\) \\{$`));
    expect(check).toBeGreaterThan(lineOf(script, /Get-FileHash -Algorithm SHA256 -LiteralPath 'C:\\nestlab\\Install-Containerd\.ps1'/));
    expect(check).toBeLessThan(lineOf(script, /& 'C:\\nestlab\\Install-Containerd\.ps1'/));
    expect(script.split('\n')[check + 1]).toBe("    Remove-Item -LiteralPath 'C:\\nestlab\\Install-Containerd.ps1' -Force");
    // No checksum is pinned for PrepareNode.ps1 here: only recorded, not compared.
    expect(script.match(/\$sha256 -ne/g)).toHaveLength(1);
  });

  it('remove the join configuration whatever kubeadm did', () => {
    const script = windowsJoinScript('token: x');
    expect(lineOf(script, /^\} finally \{$/)).toBeLessThan(lineOf(script, /Remove-Item -LiteralPath 'C:\\nestlab\\join\.yaml'/));
  });
});
