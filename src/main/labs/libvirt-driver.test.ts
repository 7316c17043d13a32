import { describe, expect, it } from 'vitest';
import { libvirtPaths } from './lab-paths';
import { accelerationIn, networkXml, parseDomifaddr, sshToVm, storagePathProblem, virtInstallArgs } from './libvirt-driver';
import { machinesOf } from './machines';
import { testPlan } from './test-plans';

const plan = testPlan();
const paths = libvirtPaths('/var/lib/libvirt/images', 'lab1');
const machines = machinesOf(plan);

describe('libvirt driver', () => {
  it('virt-install arguments: imported qcow2, seed CD-ROM, host-passthrough CPU, the lab network', () => {
    expect(virtInstallArgs(plan, machines[0]!, paths)).toMatchSnapshot();
    expect(virtInstallArgs(plan, machines[3]!, paths)).toMatchSnapshot();
  });

  it('a host without KVM gets QEMU software emulation and no host-passthrough CPU, which TCG refuses', () => {
    const tcg = virtInstallArgs(plan, machines[0]!, paths, 'qemu');
    expect(tcg.join(' ')).toContain('--virt-type qemu');
    expect(tcg).not.toContain('host-passthrough');
    expect(virtInstallArgs(plan, machines[0]!, paths, 'kvm').join(' ')).toContain('--cpu host-passthrough');
    // Excerpts of `virsh capabilities` on a KVM host and on one without /dev/kvm (libvirt 9).
    expect(accelerationIn("<guest>\n  <arch name='x86_64'>\n    <domain type='qemu'/>\n    <domain type='kvm'/>")).toBe('kvm');
    expect(accelerationIn("<guest>\n  <arch name='x86_64'>\n    <domain type='qemu'/>\n  </arch>")).toBe('qemu');
  });

  it('bridge mode attaches to the host bridge', () => {
    const bridged = testPlan({ network: { ...plan.network, mode: 'bridge', bridge: 'br0' } });
    expect(virtInstallArgs(bridged, machines[1]!, paths)).toContain('bridge=br0,model=virtio');
  });

  it('refuses a storage path that virt-install would split into options of its own (a comma, quotes, a backslash)', () => {
    for (const storage of ['/srv/vms,device=cdrom', "/srv/it's", '/srv/"x"', '/srv/a\\b']) {
      expect(() => virtInstallArgs(plan, machines[0]!, libvirtPaths(storage, 'lab1'))).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', details: { field: 'storagePath' } }),
      );
    }
    expect(storagePathProblem('/srv/vms,bus=ide')).toMatch(
      /contains a comma, which virt-install reads as part of its option syntax.*Hosts view/,
    );
    expect(storagePathProblem('/srv/lab images/$(x)')).toBeUndefined();
  });

  it('the lab NAT network with its DHCP pool', () => {
    expect(networkXml(plan, paths)).toMatchSnapshot();
  });

  it("reads the address from virsh domifaddr's lease table", () => {
    const output = [
      ' Name       MAC address          Protocol     Address',
      '-------------------------------------------------------------------------------',
      ' vnet3      52:54:00:5c:2a:01    ipv4         192.168.150.117/24',
      '',
    ].join('\n');
    expect(parseDomifaddr(output)).toBe('192.168.150.117');
    expect(parseDomifaddr(output.split('\n').slice(0, 2).join('\n'))).toBeUndefined();
  });

  it('reaches a VM over SSH from the host with the lab key and its own known_hosts', () => {
    expect(sshToVm(paths, '192.168.150.117', "'sudo' '-n' '--' 'true'")).toEqual([
      'ssh',
      '-i',
      '.nestlab/labs/lab1/id_ed25519',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=accept-new',
      '-o',
      'UserKnownHostsFile=.nestlab/labs/lab1/known_hosts',
      '-o',
      'ConnectTimeout=10',
      '-o',
      'LogLevel=ERROR',
      'nestlab@192.168.150.117',
      '--',
      "'sudo' '-n' '--' 'true'",
    ]);
  });
});
