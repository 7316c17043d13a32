import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HostSummary } from '../../shared/contract/hosts';
import { WINDOWS_MANIFEST_APPLY, sedReplace } from './cni-step';
import { windowsJoinScript, windowsPrepareScript } from './windows-node';
import { metaData, networkConfig, windowsUserData } from './cloud-init';
import { FLANNEL_VERSION } from './cni-manifests';
import { hypervPaths, vmScript } from './hyperv-driver';
import { machinesOf } from './machines';
import { useDryRunLabs } from './dry-run-labs.test-support';
import { WINDOWS_CNI_MANIFESTS, WINDOWS_NODE_SCRIPTS } from './pinned-scripts';
import { TEST_PUBLIC_KEY, testPlan } from './test-plans';
import { tempDir } from '../../../tests/harness/temp-dir';

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
    expect(script).toContain(
      "Set-Content -LiteralPath ('C:\\nestlab\\Install-Containerd.ps1' + '.nestlab-tmp') -Encoding utf8 -Value '# containerd ’’x’’\n'",
    );
    expect(script).toContain(
      "Set-Content -LiteralPath ('C:\\nestlab\\PrepareNode.ps1' + '.nestlab-tmp') -Encoding utf8 -Value '# prepare\n'",
    );
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
      expect(script).toContain(`Invoke-WebRequest -UseBasicParsing '${pinned.url}' -OutFile 'C:\\nestlab\\${pinned.name}.nestlab-tmp'`);
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
    expect(script.split('\n')[check + 1]).toBe("    Remove-Item -LiteralPath 'C:\\nestlab\\Install-Containerd.ps1.nestlab-tmp' -Force");
    // Only a download that passed the check is moved where it runs from.
    expect(lineOf(script, /Move-Item -LiteralPath 'C:\\nestlab\\Install-Containerd\.ps1\.nestlab-tmp'/)).toBeGreaterThan(check);
    // No checksum is pinned for PrepareNode.ps1 here: only recorded, not compared.
    expect(script.match(/\$sha256 -ne/g)).toHaveLength(1);
  });

  it('every file the Windows and Hyper-V scripts write goes to a temporary file beside it and is moved over it only when complete', () => {
    const plan = testPlan({ driver: 'hyperv', registryMirror: 'https://harbor.lab/proxy', baseImage: 'C:\\Base\\jammy.vhdx' });
    const windows = machinesOf(plan).find((machine) => machine.os === 'windows')!;
    const scripts = {
      prepare: windowsPrepareScript(plan),
      'prepare from a bundle': windowsPrepareScript(plan, { installContainerd: '# c\n', prepareNode: '# p\n' }),
      join: windowsJoinScript('token: x'),
      'user-data': windowsUserData(windows, TEST_PUBLIC_KEY),
      'Hyper-V VM': vmScript(plan, windows, hypervPaths('C:\\VMs', 'lab1'), {
        userData: 'u',
        metaData: metaData(windows, 'a1'),
        networkConfig: networkConfig('192.168.150.103', 24, '192.168.150.1'),
      }),
    };
    const write =
      /(?:Set-Content -(?:Literal)?Path|-OutFile|\]::Create\(|WriteAllBytes\(|Out-File(?: -(?:Literal)?FilePath)?) (\((?:\([^()]*\)|[^()])*\)|'[^']*'|\$\w+)/g;
    let writes = 0;
    for (const [name, script] of Object.entries(scripts)) {
      for (const [, target] of script.matchAll(write)) {
        writes += 1;
        expect(`${name}: ${target}`).toContain('.nestlab-tmp');
        expect(script, `${name}: ${target} is moved over its target`).toContain(`Move-Item -LiteralPath ${target} -Destination `);
      }
    }
    // The install scripts, hosts.toml per registry, config.toml, join.yaml, the key, the seed files and image.
    expect(writes).toBeGreaterThanOrEqual(15);
  });

  it('remove the join configuration whatever kubeadm did', () => {
    const script = windowsJoinScript('token: x');
    expect(lineOf(script, /^\} finally \{$/)).toBeLessThan(lineOf(script, /Remove-Item -LiteralPath 'C:\\nestlab\\join\.yaml'/));
  });

  it('without a bundle, apply the Windows CNI manifests from sig-windows-tools commits with their placeholders replaced', async () => {
    for (const pinned of Object.values(WINDOWS_CNI_MANIFESTS)) {
      expect(pinned.url).toMatch(
        /^https:\/\/raw\.githubusercontent\.com\/kubernetes-sigs\/sig-windows-tools\/[0-9a-f]{40}\/hostprocess\/.+\.yml$/,
      );
    }
    const flannel = await labs.steps(testPlan({ cni: 'flannel', windowsWorkers: 1 }));
    const flannelCni =
      flannel
        .find((step) => step.id === 'cni')
        ?.commands.map((command) => command.display)
        .join('\n') ?? '';
    expect(flannelCni).not.toContain('/master/');
    expect(flannelCni).toContain(
      `'${WINDOWS_CNI_MANIFESTS.flannelOverlay.url}' '' 'FLANNEL_VERSION' 's|FLANNEL_VERSION|${FLANNEL_VERSION}|g'`,
    );
    expect(flannelCni).toContain(
      `'${WINDOWS_CNI_MANIFESTS.flannelKubeProxy.url}' '' 'KUBE_PROXY_VERSION' 's|KUBE_PROXY_VERSION|v1.30.8|g'`,
    );
    const calico = await labs.steps(testPlan({ cni: 'calico', windowsWorkers: 1 }));
    const calicoCni =
      calico
        .find((step) => step.id === 'cni')
        ?.commands.map((command) => command.display)
        .join('\n') ?? '';
    expect(calicoCni).toContain(`'${WINDOWS_CNI_MANIFESTS.calicoKubeProxy.url}'`);
    expect(calicoCni).toContain('sigwindowstools/kube-proxy:v1.30.8-calico-hostprocess');
    const bundled = await labs.steps(testPlan({ offlineBundle: '/home/me/nestlab-bundle', cni: 'flannel', windowsWorkers: 1 }));
    const bundledCni =
      bundled
        .find((step) => step.id === 'cni')
        ?.commands.map((command) => command.display)
        .join('\n') ?? '';
    expect(bundledCni).toContain("'/opt/nestlab/bundle/manifests/flannel-overlay.yml' '' 'FLANNEL_VERSION'");
    expect(bundledCni).not.toContain('raw.githubusercontent.com');
  });

  it('the Windows manifest apply prints the SHA-256, replaces the placeholders, applies from stdin, and applies a bundle copy without them as it is', async () => {
    const dir = await tempDir('win-cni');
    // kubectl stand-in: records its arguments and the manifest it reads on stdin.
    writeFileSync(join(dir, 'kubectl'), `#!/bin/sh\necho "$@" > '${dir}/args'\ncat > '${dir}/applied'\n`);
    chmodSync(join(dir, 'kubectl'), 0o755);
    const manifest = join(dir, 'kube-proxy.yml');
    writeFileSync(manifest, 'image: sigwindowstools/kube-proxy:v1.21.1-calico-hostprocess\nother: v1.21.1\n');
    const run = () =>
      execFileSync(
        'sh',
        [
          '-c',
          WINDOWS_MANIFEST_APPLY,
          'windows-cni',
          manifest,
          '',
          'sigwindowstools/kube-proxy:v1.21.1-calico-hostprocess',
          sedReplace('sigwindowstools/kube-proxy:v1.21.1-calico-hostprocess', 'sigwindowstools/kube-proxy:v1.30.8-calico-hostprocess'),
        ],
        { env: { PATH: `${dir}:/usr/bin:/bin` }, encoding: 'utf8' },
      );
    const output = run();
    expect(output).toMatch(new RegExp(`${manifest} sha256 [0-9a-f]{64}`));
    expect(readFileSync(join(dir, 'applied'), 'utf8')).toBe(
      'image: sigwindowstools/kube-proxy:v1.30.8-calico-hostprocess\nother: v1.21.1\n',
    );
    expect(readFileSync(join(dir, 'args'), 'utf8').trim()).toBe('--kubeconfig /etc/kubernetes/admin.conf apply -f -');
    expect(readFileSync(manifest, 'utf8')).toContain('v1.21.1-calico');
    writeFileSync(manifest, 'image: sigwindowstools/kube-proxy:v1.30.8-calico-hostprocess\n');
    expect(run()).toContain('has no sigwindowstools/kube-proxy:v1.21.1-calico-hostprocess to replace: applied as it is');
    expect(readFileSync(join(dir, 'applied'), 'utf8')).toBe('image: sigwindowstools/kube-proxy:v1.30.8-calico-hostprocess\n');
  });
});
