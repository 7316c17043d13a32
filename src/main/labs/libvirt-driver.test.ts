import { describe, expect, it } from 'vitest';
import { machineMac } from './api-endpoint';
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

  it('the lab NAT network with its DHCP pool, the first control plane reserved at the endpoint address, and the endpoint name in its DNS', () => {
    expect(networkXml(plan, paths, 'a1b2c3d4')).toMatchSnapshot();
  });

  it('three control planes: each reserved, and the endpoint address on the host (HAProxy), a /32 beside the gateway', () => {
    const three = testPlan({ controlPlaneCount: 3 });
    const xml = networkXml(three, paths, 'a1b2c3d4');
    expect(xml).toMatchSnapshot();
    expect(xml.match(/<host mac='52:54:00:[0-9a-f:]{8}' name='lab1-cp\d' ip='192\.168\.150\.10[012]'\/>/g)).toHaveLength(3);
    // The VMs get the subnet's broadcast address, not the endpoint's /32 (dnsmasq's own pick on a real host).
    expect(xml).toContain("<network xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0'>");
    expect(xml).toContain("<dnsmasq:option value='dhcp-option=28,192.168.150.255'/>");
    // virt-install gives each control plane the MAC of its reservation; workers keep libvirt's random one.
    const [cp2, worker] = [machinesOf(three)[1]!, machinesOf(three)[3]!];
    expect(virtInstallArgs(three, cp2, paths, 'kvm', 'a1b2c3d4')).toContain(
      `network=nestlab-lab1,model=virtio,mac=${machineMac('a1b2c3d4', 'lab1-cp2')}`,
    );
    expect(virtInstallArgs(three, worker, paths, 'kvm', 'a1b2c3d4')).toContain('network=nestlab-lab1,model=virtio');
    // An endpoint Nestlab does not serve (an address outside the lab network) adds nothing.
    const external = networkXml(testPlan({ apiEndpoint: { host: '10.9.8.7', port: 6443, address: '192.168.150.10' } }), paths, 'a1b2c3d4');
    expect(external).not.toContain('<dns>');
    expect(external).not.toContain('<host mac');
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
