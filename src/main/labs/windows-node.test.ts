import { describe, expect, it } from 'vitest';
import type { HostSummary } from '../../shared/contract/hosts';
import { windowsJoinScript, windowsPrepareScript } from './bootstrap';
import { useDryRunLabs } from './dry-run-labs.test-support';
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

  it('remove the join configuration whatever kubeadm did', () => {
    const script = windowsJoinScript('token: x');
    expect(lineOf(script, /^\} finally \{$/)).toBeLessThan(lineOf(script, /Remove-Item -LiteralPath 'C:\\nestlab\\join\.yaml'/));
  });
});
