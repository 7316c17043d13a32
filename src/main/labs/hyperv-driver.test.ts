import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { metaData, networkConfig, windowsUserData } from './cloud-init';
import {
  addressScript,
  cleanupScript,
  deleteVmScript,
  endpointScript,
  HyperVDriver,
  hypervPaths,
  networkScript,
  prepareScript,
  removeEndpointScript,
  vmExecScript,
  vmScript,
} from './hyperv-driver';
import { machinesOf } from './machines';
import type { CommandOptions, StepContext } from './step-context';
import { TEST_PUBLIC_KEY, testPlan } from './test-plans';

const plan = testPlan({
  driver: 'hyperv',
  baseImage: 'C:\\Hyper-V\\Base\\jammy-server-cloudimg-amd64.vhdx',
  windowsBaseImage: 'C:\\Hyper-V\\Base\\windows-server-2022.vhdx',
});
const paths = hypervPaths('C:\\ProgramData\\Microsoft\\Windows\\Hyper-V', 'lab1');
const windows = machinesOf(plan).find((machine) => machine.os === 'windows')!;

describe('Hyper-V driver scripts', () => {
  it('prepare: images present, lab folders, the lab key', () => {
    expect(prepareScript(plan, paths)).toMatchSnapshot();
  });

  it('network: internal switch, gateway address and NetNat, each only when missing', () => {
    expect(networkScript(plan, paths)).toMatchSnapshot();
  });

  it('VM: differencing VHDX, seed ISO, New-VM, Set-VMProcessor, Set-VMMemory', () => {
    const seed = {
      userData: windowsUserData(windows, TEST_PUBLIC_KEY),
      metaData: metaData(windows, 'a1b2c3d4'),
      networkConfig: networkConfig('192.168.150.103', 24, '192.168.150.1'),
    };
    expect(vmScript(plan, windows, paths, seed)).toMatchSnapshot();
  });

  it('address, delete, cleanup and running a command on a VM', () => {
    expect(addressScript(windows)).toMatchSnapshot();
    expect(deleteVmScript(windows, paths)).toMatchSnapshot();
    expect(cleanupScript(plan, paths)).toMatchSnapshot();
    expect(vmExecScript(paths, '192.168.150.103', 'powershell -NoProfile -NonInteractive -Command -')).toMatchSnapshot();
  });

  it("API endpoint: the host's port mapped to the endpoint address with NetNat and let in by a firewall rule, each only when missing", () => {
    const served = { ...plan, apiEndpoint: { ...plan.apiEndpoint, hostPort: 16443 } };
    expect(endpointScript(served, paths)).toMatchSnapshot();
    expect(endpointScript(served, paths)).toContain(
      "Add-NetNatStaticMapping -NatName 'nestlab-lab1' -Protocol TCP -ExternalIPAddress '0.0.0.0' -ExternalPort 16443 -InternalIPAddress '192.168.150.10' -InternalPort 6443",
    );
    expect(removeEndpointScript(served, paths)).toMatchSnapshot();
  });

  it('bridge mode only checks the external switch', () => {
    expect(
      networkScript(testPlan({ driver: 'hyperv', network: { ...plan.network, mode: 'bridge', bridge: 'External' } }), paths),
    ).toContain("Get-VMSwitch -Name 'External'");
  });
});

describe('Hyper-V bundle upload', () => {
  it('writes each file beside its target and moves it over only when every byte arrived', async () => {
    const bundle = await mkdtemp(join(tmpdir(), 'nestlab-hyperv-bundle-'));
    try {
      await mkdir(join(bundle, 'debs'));
      await writeFile(join(bundle, 'debs', 'kubeadm.deb'), 'abc');
      const calls: { script: string; stdin: unknown }[] = [];
      const ctx = {
        dry: false,
        progress: () => undefined,
        hostPowerShell: (script: string, options?: CommandOptions) => {
          calls.push({ script, stdin: options?.stdin });
          return Promise.resolve({ exitCode: 0, stdout: '', stderr: '' });
        },
      } as unknown as StepContext;
      await new HyperVDriver({ ...plan, offlineBundle: bundle }, paths.storageDir, 'id').uploadBundle(ctx);
      expect(calls).toHaveLength(1);
      const [call] = calls;
      expect(call?.stdin).toBe(Buffer.from('abc').toString('base64'));
      expect(call?.script).toContain(
        "if ($bytes.Length -ne 3) { throw ($path + ': received ' + $bytes.Length + ' of 3 bytes (the transfer was cut short); the file is left as it was') }",
      );
      expect(call?.script).toContain("[System.IO.File]::WriteAllBytes($path + '.nestlab-tmp', $bytes)");
      expect(call?.script.indexOf('WriteAllBytes')).toBeLessThan(
        call?.script.indexOf("Move-Item -LiteralPath ($path + '.nestlab-tmp') -Destination $path -Force") ?? -1,
      );
    } finally {
      await rm(bundle, { recursive: true, force: true });
    }
  });
});

describe('Hyper-V static addresses', () => {
  it('the first control plane gets the API endpoint address (the name resolves to it from every hosts file); the others the lowest free pool address', async () => {
    const machines = machinesOf(plan);
    const scripts: string[] = [];
    const ctx = {
      dry: false,
      machines,
      hostPowerShell: (script: string) => {
        scripts.push(script);
        return Promise.resolve({ exitCode: 0, stdout: script.includes('hyperv-public-key') ? TEST_PUBLIC_KEY : 'created', stderr: '' });
      },
    } as unknown as StepContext;
    const driver = new HyperVDriver(plan, paths.storageDir, 'id');
    // Workers first: they must not take the address reserved for the control plane.
    for (const machine of [...machines].reverse()) await driver.ensureVm(ctx, machine);
    expect(Object.fromEntries(machines.map((machine) => [machine.name, machine.address]))).toEqual({
      'lab1-cp1': '192.168.150.10',
      'lab1-linux1': '192.168.150.102',
      'lab1-linux2': '192.168.150.101',
      'lab1-win1': '192.168.150.100',
    });
    const linuxSeed = scripts.find((script) => script.includes("'lab1-linux1'") && script.includes('nestlab:hyperv-vm'));
    expect(linuxSeed).toContain('192.168.150.10 lab1-api.lab.internal');
  });
});
