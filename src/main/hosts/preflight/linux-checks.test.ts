import { describe, expect, it } from 'vitest';
import { evaluateLinuxFacts } from './linux-checks';
import type { LinuxFacts } from './linux-probe';
import { parseLinuxFacts } from './linux-probe';
import { defaultThresholds } from './preflight-types';

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

  it('notes nested=N on bare metal and in a VM with vmx exposed; a plan that needs nested hypervisors fails on it', () => {
    const facts = { ...ready, 'nested.kvm_intel': 'N' };
    const bare = evaluateLinuxFacts(facts);
    expect(bare.status).toBe('pass');
    expect(bare.checks.find((c) => c.id === 'nested-virtualization')).toEqual({
      id: 'nested-virtualization',
      title: 'Nested virtualization',
      status: 'pass',
      detail:
        "This is a physical host: lab VMs run directly on its KVM. Note: kvm_intel is loaded with nested=N, which matters only for hypervisors inside lab VMs (lab VMs need none). To allow them: echo 'options kvm_intel nested=1' | sudo tee /etc/modprobe.d/nestlab-nested.conf && sudo modprobe -r kvm_intel && sudo modprobe kvm_intel (with all VMs stopped).",
    });
    expect(bare.capacity.nestedVirtualization).toBe(false);
    const guest = evaluateLinuxFacts({ ...facts, 'cpu.hypervisor_flag': 'yes' });
    expect(guest.status).toBe('pass');
    expect(guest.checks.find((c) => c.id === 'nested-virtualization')?.detail).toMatch(
      /^This host is a VM and its outer hypervisor exposes vmx/,
    );
    const strict = evaluateLinuxFacts(facts, { ...defaultThresholds, requireNestedVirtualization: true });
    expect(strict.status).toBe('fail');
    expect(strict.checks.find((c) => c.id === 'nested-virtualization')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('kvm_intel nested=1') as string,
    });
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
