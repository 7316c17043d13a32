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
import type { StepContext } from './step-context';
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
    // A VM with an address loses its known_hosts entry: the next VM of that name has the address and a new host key.
    expect(deleteVmScript({ ...windows, address: '192.168.150.103' }, paths)).toContain(
      "& ssh-keygen.exe -R '192.168.150.103' -f $known *> $null",
    );
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
  it("copies the bundle over SFTP into the lab's folder of the user profile", async () => {
    const targets: string[] = [];
    const ctx = {
      dry: false,
      copyBundleToHost: (remoteDir: string) => {
        targets.push(remoteDir);
        return Promise.resolve({ files: 3, sentBytes: 1_048_576, keptBytes: 0 });
      },
    } as unknown as StepContext;
    const outcome = await new HyperVDriver({ ...plan, offlineBundle: '/srv/bundle' }, paths.storageDir, 'id').uploadBundle(ctx);
    // Relative: Windows OpenSSH's SFTP starts in the profile, where $env:USERPROFILE\.nestlab\labs\lab1 is.
    expect(targets).toEqual(['.nestlab/labs/lab1/bundle']);
    expect(outcome).toEqual({ status: 'done', detail: '3 files, 1.0 MiB sent' });
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
