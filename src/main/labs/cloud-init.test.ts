import { describe, expect, it } from 'vitest';
import { linuxUserData, metaData, networkConfig, windowsUserData } from './cloud-init';
import { machinesOf } from './machines';
import { TEST_PUBLIC_KEY, testPlan } from './test-plans';

const machines = machinesOf(testPlan());
const controlPlane = machines[0]!;
const windows = machines.find((machine) => machine.os === 'windows')!;

describe('cloud-init seeds', () => {
  it('Linux user-data: the nestlab user with the lab key, kernel settings, containerd and pinned Kubernetes packages', () => {
    expect(linuxUserData(controlPlane, testPlan(), TEST_PUBLIC_KEY)).toMatchSnapshot();
  });

  it('Linux user-data with a registry mirror and an offline bundle', () => {
    expect(
      linuxUserData(
        controlPlane,
        testPlan({ registryMirror: 'https://mirror.lab.internal:5000', offlineBundle: '/home/me/bundle' }),
        TEST_PUBLIC_KEY,
      ),
    ).toMatchSnapshot();
  });

  it('meta-data: instance id and host name', () => {
    expect(metaData(controlPlane, 'a1b2c3d4')).toMatchInlineSnapshot(`
      "instance-id: lab1-cp1-a1b2c3d4
      local-hostname: lab1-cp1
      "
    `);
  });

  it('network-config v2 with a static address (Hyper-V internal switch)', () => {
    expect(networkConfig('192.168.150.101', 24, '192.168.150.1')).toMatchSnapshot();
  });

  it('Windows user-data for cloudbase-init: user, key, OpenSSH, computer name', () => {
    expect(windowsUserData(windows, TEST_PUBLIC_KEY)).toMatchSnapshot();
  });

  it('keeps user text inert: a quote in a value cannot end the PowerShell literal', () => {
    const script = windowsUserData({ ...windows, name: "x'; Remove-Item C:\\ -Recurse; '" }, TEST_PUBLIC_KEY);
    expect(script).toContain("$name = 'x''; Remove-Item C:\\ -Recurse; '''");
  });
});
