import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeHost } from '../../../src/main/hosts/preflight/run-preflight';
import type { PreflightReport } from '../../../src/main/hosts/preflight/preflight-types';
import type { SshConnection } from '../../../src/main/hosts/ssh-connection';
import { simulations } from '../../harness/ssh/profiles';
import { startTestHost } from '../../harness/ssh/test-host';
import type { TestHost } from '../../harness/ssh/test-host';
import { connectToTestHost } from './connect-to-test-host';

type Name = keyof typeof simulations;
const names = Object.keys(simulations) as Name[];

function statuses(report: PreflightReport): Record<string, string> {
  return Object.fromEntries(report.checks.map((check) => [check.id, check.status]));
}

describe('preflight against each simulated lab host', () => {
  const hosts = new Map<Name, TestHost>();
  const connections = new Map<Name, SshConnection>();
  const reports = new Map<Name, PreflightReport>();

  beforeAll(async () => {
    await Promise.all(
      names.map(async (name) => {
        const host = await startTestHost({ simulation: simulations[name] });
        hosts.set(name, host);
        const connection = connectToTestHost(host);
        connections.set(name, connection);
        reports.set(name, await probeHost(connection, simulations[name].os));
      }),
    );
  });
  afterAll(async () => {
    for (const connection of connections.values()) connection.close();
    await Promise.all([...hosts.values()].map((host) => host.stop()));
  });

  const report = (name: Name): PreflightReport => {
    const found = reports.get(name);
    if (found === undefined) throw new Error(`no report for ${name}`);
    return found;
  };

  const detail = (from: PreflightReport, id: string): string | undefined => from.checks.find((check) => check.id === id)?.detail;

  it('probes with a single command per host', async () => {
    for (const name of names) {
      const lines = (await hosts.get(name)?.sessionCommandLines())?.trim().split('\n');
      expect(lines, name).toHaveLength(1);
    }
  });

  it('passes the nested-virtualization-on host and reports its capacity', () => {
    const nestedOn = report('nestedOn');
    expect(nestedOn.checks.filter((check) => check.status !== 'pass')).toEqual([]);
    expect(nestedOn.status).toBe('pass');
    // The host's own /dev/kvm, made in its namespace: the machine running the tests may have none.
    expect(detail(nestedOn, 'dev-kvm')).toBe('/dev/kvm is usable by nestlab.');
    expect(nestedOn.capacity).toEqual({
      hypervisor: 'kvm',
      cpus: 16,
      memoryMiB: 65536,
      memoryAvailableMiB: Math.floor((65536 * 1024 * 0.92) / 1024),
      diskFreeGiB: 500,
      storagePath: '/var/lib/libvirt/images',
      nestedVirtualization: true,
    });
  });

  it('notes nested=N on a bare-metal host (lab VMs run no hypervisor), failing only what lab VMs need', () => {
    const nestedOff = report('nestedOff');
    expect(statuses(nestedOff)).toMatchObject({
      'cpu-virtualization': 'pass',
      'nested-virtualization': 'pass',
      'libvirt-group': 'fail',
      'dev-kvm': 'fail',
      sudo: 'warn',
    });
    const nested = detail(nestedOff, 'nested-virtualization');
    expect(nested).toContain('This is a physical host: lab VMs run directly on its KVM.');
    expect(nested).toContain('Note: kvm_intel is loaded with nested=N, which matters only for hypervisors inside lab VMs');
    expect(nested).toContain('options kvm_intel nested=1');
    expect(detail(nestedOff, 'dev-kvm')).toBe('/dev/kvm exists but nestlab cannot open it.');
    expect(nestedOff.capacity.nestedVirtualization).toBe(false);
  });

  it('passes a host that is itself a VM with virtualization exposed, noting its own nested=N', () => {
    const guest = report('guestNestedOff');
    expect(guest.checks.filter((check) => check.status !== 'pass')).toEqual([]);
    expect(detail(guest, 'cpu-virtualization')).toBe('The CPU exposes vmx.');
    expect(detail(guest, 'nested-virtualization')).toMatch(
      /^This host is a VM and its outer hypervisor exposes vmx, so KVM runs lab VMs here\. Note: kvm_intel is loaded with nested=N/,
    );
  });

  it('fails the host without KVM and tells this VM how to get virtualization exposed', () => {
    const noKvm = report('noKvm');
    expect(statuses(noKvm)).toMatchObject({
      'cpu-count': 'warn',
      'cpu-virtualization': 'fail',
      'nested-virtualization': 'fail',
      'dev-kvm': 'fail',
      'libvirt-tools': 'fail',
      'libvirt-network': 'fail',
      'cloud-init-seed': 'fail',
    });
    expect(noKvm.checks.find((c) => c.id === 'cpu-virtualization')?.fix).toContain('ExposeVirtualizationExtensions');
    expect(detail(noKvm, 'nested-virtualization')).toBe(
      'This host is a VM whose outer hypervisor does not expose virtualization extensions, so KVM cannot run lab VMs here.',
    );
    expect(detail(noKvm, 'dev-kvm')).toBe('There is no /dev/kvm.');
  });

  it('fails a host whose /dev/kvm is a regular file, and only on that', () => {
    const fake = report('kvmNotADevice');
    expect(fake.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['dev-kvm']);
    expect(detail(fake, 'dev-kvm')).toBe('/dev/kvm is not a KVM device.');
  });

  it('fails the small host on RAM, CPUs and disk, and nothing else', () => {
    const lowRam = report('lowRam');
    expect(
      lowRam.checks
        .filter((c) => c.status !== 'pass')
        .map((c) => c.id)
        .sort(),
    ).toEqual(['cpu-count', 'disk-free', 'memory']);
    expect(lowRam.capacity).toMatchObject({ cpus: 2, memoryMiB: 6144, diskFreeGiB: 40 });
  });

  it('reports the Windows Hyper-V VM with the Set-VMProcessor hint', () => {
    const windows = report('windowsHyperV');
    expect(windows.os).toBe('windows');
    expect(statuses(windows)).toEqual({
      'hyperv-feature': 'pass',
      'hypervisor-present': 'fail',
      'vm-host': 'pass',
      'virtual-switch': 'pass',
      nat: 'warn',
      memory: 'pass',
      'cpu-count': 'pass',
      'nested-virtualization': 'fail',
    });
    expect(windows.checks.find((c) => c.id === 'nested-virtualization')?.fix).toMatch(
      /Set-VMProcessor -VMName <this VM> -ExposeVirtualizationExtensions \$true.*turned off|turned off.*Set-VMProcessor/,
    );
    expect(windows.capacity).toMatchObject({ hypervisor: 'hyperv', cpus: 8, memoryMiB: 32768, diskFreeGiB: 200 });
  });
});
