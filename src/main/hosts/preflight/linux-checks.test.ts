import { describe, expect, it } from 'vitest';
import { evaluateLinuxFacts } from './linux-checks';
import type { LinuxFacts } from './linux-probe';
import { parseLinuxFacts } from './linux-probe';

const ready: LinuxFacts = parseLinuxFacts(
  [
    'os.name=Debian GNU/Linux 12 (bookworm)',
    'kernel=6.1.0',
    'arch=x86_64',
    'user.name=lab',
    'user.uid=1000',
    'user.groups=lab kvm libvirt',
    'cpu.count=16',
    'cpu.vendor=GenuineIntel',
    'cpu.virt_flags=vmx ',
    'cpu.hypervisor_flag=no',
    'mem.total_kib=67108864',
    'mem.available_kib=60000000',
    'disk.path=/var/lib/libvirt/images',
    'disk.exists=yes',
    'disk.measured_path=/var/lib/libvirt/images',
    'disk.free_kib=524288000',
    'nested.kvm_intel=Y',
    'nested.kvm_amd=absent',
    'kvm.module=loaded',
    'kvm.dev=rw',
    'cmd.virsh=/usr/bin/virsh',
    'cmd.virt-install=/usr/bin/virt-install',
    'cmd.qemu-img=/usr/bin/qemu-img',
    'cmd.cloud-localds=/usr/bin/cloud-localds',
    'cmd.genisoimage=',
    'cmd.xorriso=',
    'cmd.mkisofs=',
    'libvirt.net_default=yes',
    'libvirt.pool_default=running',
    'sudo=nopasswd',
    'probe.done=yes',
  ].join('\n'),
);

const statusOf = (facts: LinuxFacts): Record<string, string> =>
  Object.fromEntries(evaluateLinuxFacts(facts).checks.map((check) => [check.id, check.status]));

describe('evaluateLinuxFacts', () => {
  it('passes a ready KVM host and reports its capacity', () => {
    const report = evaluateLinuxFacts(ready, undefined, '2026-01-01T00:00:00.000Z');
    expect(report.status).toBe('pass');
    expect(report.checks).toHaveLength(12);
    expect(report.capacity).toEqual({
      hypervisor: 'kvm',
      cpus: 16,
      memoryMiB: 65536,
      memoryAvailableMiB: 58593,
      diskFreeGiB: 500,
      storagePath: '/var/lib/libvirt/images',
      nestedVirtualization: true,
    });
  });

  it('fails nested=N with the modprobe fix, and can be relaxed to a warning', () => {
    const facts = { ...ready, 'nested.kvm_intel': 'N' };
    const check = evaluateLinuxFacts(facts).checks.find((c) => c.id === 'nested-virtualization');
    expect(check).toMatchObject({ status: 'fail', fix: expect.stringContaining('kvm_intel nested=1') });
    const relaxed = evaluateLinuxFacts(facts, {
      minCpus: 4,
      recommendedCpus: 8,
      minMemoryMiB: 16384,
      recommendedMemoryMiB: 32768,
      minDiskGiB: 100,
      recommendedDiskGiB: 250,
      requireNestedVirtualization: false,
    });
    expect(relaxed.status).toBe('warn');
    expect(relaxed.capacity.nestedVirtualization).toBe(false);
  });

  it('uses kvm_amd on an AMD host', () => {
    expect(
      statusOf({ ...ready, 'cpu.virt_flags': 'svm', 'nested.kvm_intel': 'absent', 'nested.kvm_amd': '1' })['nested-virtualization'],
    ).toBe('pass');
  });

  it('tells a VM without virtualization extensions how to expose them', () => {
    const report = evaluateLinuxFacts({
      ...ready,
      'cpu.virt_flags': '',
      'cpu.hypervisor_flag': 'yes',
      'kvm.dev': 'absent',
      'nested.kvm_intel': 'absent',
    });
    const virt = report.checks.find((c) => c.id === 'cpu-virtualization');
    expect(virt).toMatchObject({ status: 'fail', fix: expect.stringContaining('ExposeVirtualizationExtensions') });
    expect(report.checks.find((c) => c.id === 'dev-kvm')?.status).toBe('fail');
  });

  it('grades RAM, CPUs and disk against the thresholds', () => {
    expect(statusOf({ ...ready, 'mem.total_kib': 6 * 1024 * 1024 }).memory).toBe('fail');
    expect(statusOf({ ...ready, 'mem.total_kib': 24 * 1024 * 1024 }).memory).toBe('warn');
    expect(statusOf({ ...ready, 'cpu.count': 2 })['cpu-count']).toBe('fail');
    expect(statusOf({ ...ready, 'cpu.count': 6 })['cpu-count']).toBe('warn');
    expect(statusOf({ ...ready, 'disk.free_kib': 40 * 1024 * 1024 })['disk-free']).toBe('fail');
  });

  it('reports missing libvirt pieces with install commands', () => {
    const { 'libvirt.net_default': _net, 'libvirt.pool_default': _pool, ...rest } = ready;
    const report = evaluateLinuxFacts({ ...rest, 'cmd.virsh': '', 'cmd.cloud-localds': '' });
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(byId['libvirt-tools']).toMatchObject({
      status: 'fail',
      detail: 'Missing: virsh.',
      fix: expect.stringContaining('apt-get install'),
    });
    expect(byId['libvirt-network']?.status).toBe('fail');
    expect(byId['cloud-init-seed']).toMatchObject({ status: 'fail', fix: 'sudo apt-get install -y cloud-image-utils' });
    expect(statusOf({ ...ready, 'libvirt.net_default': 'no' })['libvirt-network']).toBe('warn');
    expect(statusOf({ ...ready, 'libvirt.pool_default': 'missing' })['libvirt-pool']).toBe('fail');
  });

  it('checks group membership and sudo, but not for root', () => {
    expect(statusOf({ ...ready, 'user.groups': 'lab' })['libvirt-group']).toBe('fail');
    expect(statusOf({ ...ready, sudo: 'password' }).sudo).toBe('warn');
    expect(statusOf({ ...ready, sudo: 'missing' }).sudo).toBe('fail');
    const root = statusOf({ ...ready, 'user.uid': 0, 'user.name': 'root', 'user.groups': 'root', sudo: 'missing' });
    expect([root['libvirt-group'], root.sudo]).toEqual(['pass', 'pass']);
  });

  it('measures the nearest existing folder when the pool path does not exist yet', () => {
    const check = evaluateLinuxFacts({ ...ready, 'disk.exists': 'no', 'disk.measured_path': '/var/lib' }).checks.find(
      (c) => c.id === 'disk-free',
    );
    expect(check?.detail).toContain('/var/lib (/var/lib/libvirt/images does not exist yet');
  });

  it('refuses incomplete probe output naming the missing facts', () => {
    expect(() => parseLinuxFacts('cpu.count=4\n')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
