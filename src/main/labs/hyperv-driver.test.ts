import { describe, expect, it } from 'vitest';
import { metaData, networkConfig, windowsUserData } from './cloud-init';
import {
  addressScript,
  cleanupScript,
  deleteVmScript,
  hypervPaths,
  networkScript,
  prepareScript,
  vmExecScript,
  vmScript,
} from './hyperv-driver';
import { machinesOf } from './machines';
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

  it('bridge mode only checks the external switch', () => {
    expect(
      networkScript(testPlan({ driver: 'hyperv', network: { ...plan.network, mode: 'bridge', bridge: 'External' } }), paths),
    ).toContain("Get-VMSwitch -Name 'External'");
  });
});
