import { describe, expect, it } from 'vitest';
import { evaluateWindowsFacts } from './windows-checks';
import { parseWindowsFacts } from './windows-probe';

const physical = parseWindowsFacts({
  osCaption: 'Microsoft Windows Server 2022 Datacenter',
  osVersion: '10.0.20348',
  manufacturer: 'Dell Inc.',
  model: 'PowerEdge R650',
  logicalProcessors: 32,
  totalMemoryBytes: 256 * 1024 ** 3,
  freeMemoryBytes: 200 * 1024 ** 3,
  hypervisorPresent: true,
  vmMonitorModeExtensions: false,
  virtualizationFirmwareEnabled: false,
  hyperVFeature: 'Installed',
  vmmsRunning: true,
  hypervisorLaunchFailed: false,
  vmHost: { virtualMachinePath: 'D:\\VMs', memoryCapacityBytes: 256 * 1024 ** 3 },
  vmPathFreeBytes: 1024 ** 4,
  // PowerShell 5.1 serializes a one-element array as an object.
  switches: { name: 'NestlabNAT', switchType: 'Internal' },
  nat: { name: 'NestlabNAT', internalPrefix: '192.168.100.0/24' },
});

describe('evaluateWindowsFacts', () => {
  it('passes a physical Hyper-V host and reports capacity', () => {
    const report = evaluateWindowsFacts(physical);
    expect(report.status).toBe('pass');
    expect(report.capacity).toMatchObject({
      hypervisor: 'hyperv',
      cpus: 32,
      memoryMiB: 262144,
      diskFreeGiB: 1024,
      storagePath: 'D:\\VMs',
      nestedVirtualization: true,
    });
  });

  it('gives the Set-VMProcessor hint for a VM whose host does not expose virtualization', () => {
    const report = evaluateWindowsFacts({
      ...physical,
      manufacturer: 'Microsoft Corporation',
      model: 'Virtual Machine',
      hypervisorLaunchFailed: true,
    });
    const nested = report.checks.find((c) => c.id === 'nested-virtualization');
    expect(nested).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('Set-VMProcessor -VMName <this VM> -ExposeVirtualizationExtensions $true'),
    });
    expect(nested?.fix).toContain('turned off');
    expect(report.capacity.nestedVirtualization).toBe(false);
  });

  it('fails a host without the Hyper-V feature, switches or memory', () => {
    const report = evaluateWindowsFacts({
      ...physical,
      hyperVFeature: 'Available',
      switches: [],
      nat: [],
      totalMemoryBytes: 8 * 1024 ** 3,
      logicalProcessors: 2,
    });
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
    expect(byId).toMatchObject({ 'hyperv-feature': 'fail', 'virtual-switch': 'fail', nat: 'warn', memory: 'fail', 'cpu-count': 'fail' });
    expect(report.checks.find((c) => c.id === 'hyperv-feature')?.fix).toContain('Install-WindowsFeature -Name Hyper-V');
  });

  it('refuses malformed probe JSON', () => {
    expect(() => parseWindowsFacts({ logicalProcessors: 'four' })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
