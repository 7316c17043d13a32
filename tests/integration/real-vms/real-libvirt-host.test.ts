import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshConnection } from '../../../src/main/hosts/ssh-connection';
import { realLibvirtHost } from '../../harness/ssh/profiles';
import { startTestHost, type TestHost } from '../../harness/ssh/test-host';
import { connectToTestHost } from '../hosts/connect-to-test-host';

/** Addresses on the machine's own interfaces (the test process's network namespace). */
function machineAddresses(): string {
  return execFileSync('ip', ['-o', 'addr', 'show'], { encoding: 'utf8' });
}

describe('a real libvirt lab host (real libvirtd, QEMU and dnsmasq in the host own namespaces)', () => {
  let host: TestHost;
  let connection: SshConnection;

  beforeAll(async () => {
    host = await startTestHost({ simulation: realLibvirtHost, realLibvirt: true });
    connection = connectToTestHost(host);
  });
  afterAll(async () => {
    connection?.close();
    await host?.stop();
  });

  it('answers over SSH on loopback and runs the real virsh for the test user', async () => {
    const version = await connection.exec('id -nG; virsh -c qemu:///system version');
    expect(version.stdout).toMatch(/\blibvirt\b/);
    expect(version.stdout).toMatch(/Running hypervisor: QEMU \d+/);
    const capabilities = await connection.exec('virsh -c qemu:///system capabilities');
    expect(capabilities.stdout).toContain("<domain type='qemu'");
    expect(capabilities.stdout).not.toContain("<domain type='kvm'");
    const pool = await connection.exec('virsh -c qemu:///system pool-info default');
    expect(pool.stdout).toMatch(/State:\s+running/);
  });

  it('keeps lab networks inside its namespace', async () => {
    const xml =
      "<network><name>probe</name><forward mode='nat'/><ip address='192.168.213.1' netmask='255.255.255.0'><dhcp><range start='192.168.213.10' end='192.168.213.20'/></dhcp></ip></network>";
    const defined = await connection.exec(
      'cat > /var/lib/libvirt/images/probe.xml && virsh -c qemu:///system net-define /var/lib/libvirt/images/probe.xml && virsh -c qemu:///system net-start probe && ip -o addr show',
      { stdin: xml },
    );
    expect(defined.exitCode, defined.stderr).toBe(0);
    expect(defined.stdout).toContain('192.168.213.1/24');
    expect(machineAddresses()).not.toContain('192.168.213.1');
  });
});
