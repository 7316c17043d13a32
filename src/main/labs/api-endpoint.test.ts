import { describe, expect, it } from 'vitest';
import { endpointProblems, endpointService, freeHostPort, kubeconfigServer } from '../../shared/lab-endpoint';
import {
  apiServerSans,
  controlPlaneAddresses,
  dhcpReservations,
  endpointHostEntry,
  HAPROXY_UNIT,
  haproxyConfig,
  machineMac,
} from './api-endpoint';
import { testPlan } from './test-plans';

const single = testPlan({ apiEndpoint: { ...testPlan().apiEndpoint, hostPort: 16443 } });
const three = testPlan({ controlPlaneCount: 3, apiEndpoint: { ...testPlan().apiEndpoint, port: 7443, hostPort: 16444 } });

describe('the served API endpoint', () => {
  it('one control plane: the name stands for the first control plane, reserved at the endpoint address; HAProxy only for the host port', () => {
    expect(endpointService(single)).toEqual({ kind: 'nestlab', loadBalancer: true, portMapping: false, hostPort: 16443 });
    expect(controlPlaneAddresses(single)).toEqual(['192.168.150.10']);
    expect(dhcpReservations(single, 'a1b2c3d4')).toEqual([
      { mac: machineMac('a1b2c3d4', 'lab1-cp1'), name: 'lab1-cp1', ip: '192.168.150.10' },
    ]);
    expect(endpointHostEntry(single)).toEqual({ ip: '192.168.150.10', name: 'lab1-api.lab.internal' });
    const noPort = testPlan();
    expect(endpointService(noPort)).toEqual({ kind: 'nestlab', loadBalancer: false, portMapping: false });
    expect(kubeconfigServer(noPort, '10.0.0.5')).toEqual({ host: 'lab1-api.lab.internal', port: 6443 });
    expect(kubeconfigServer(single, '10.0.0.5')).toEqual({ host: '10.0.0.5', port: 16443 });
    // Nothing to fail over to: no health check, which would close connections to a control plane that already answers.
    const backend = haproxyConfig(single).split('\nbackend lab1-control-planes\n')[1];
    expect(backend).toBe('    server lab1-cp1 192.168.150.10:6443\n');
  });

  it('a Hyper-V host maps its port to the control plane (NetNat), no HAProxy; the kubeconfig uses the host and that port', () => {
    const hyperv = testPlan({ driver: 'hyperv', apiEndpoint: { ...testPlan().apiEndpoint, hostPort: 16445 } });
    expect(endpointService(hyperv)).toEqual({ kind: 'nestlab', loadBalancer: false, portMapping: true, hostPort: 16445 });
    expect(kubeconfigServer(hyperv, 'hv1.example.net')).toEqual({ host: 'hv1.example.net', port: 16445 });
    expect(apiServerSans(hyperv, '192.168.150.10', 'hv1.example.net')).toContain('hv1.example.net');
    expect(endpointService(testPlan({ driver: 'hyperv' }))).toMatchObject({ portMapping: false });
  });

  it('three control planes: reserved at the start of the pool, HAProxy on the endpoint address and the host port, checked over TLS', () => {
    expect(controlPlaneAddresses(three)).toEqual(['192.168.150.100', '192.168.150.101', '192.168.150.102']);
    expect(haproxyConfig(three)).toMatchSnapshot();
    expect(HAPROXY_UNIT).toMatchSnapshot();
    // k3s refuses anonymous requests: its API servers answer /readyz with 401 when they serve.
    expect(haproxyConfig({ ...three, distribution: 'k3s' })).toContain('    http-check expect rstatus ^(200|401)$');
    expect(haproxyConfig(three)).toContain('    http-check expect status 200');
  });

  it('an endpoint Nestlab does not serve (a bridge, existing machines, an address outside the lab network) gets nothing', () => {
    for (const plan of [
      testPlan({ network: { ...testPlan().network, mode: 'bridge', bridge: 'br0' } }),
      testPlan({ driver: 'existing' }),
      testPlan({ apiEndpoint: { host: '10.20.30.40', port: 6443, address: '192.168.150.10', hostPort: 16443 } }),
    ]) {
      expect(endpointService(plan)).toEqual({ kind: 'external', loadBalancer: false, portMapping: false });
      expect(controlPlaneAddresses(plan)).toEqual([]);
      expect(endpointHostEntry(plan)).toBeUndefined();
      expect(kubeconfigServer(plan, '10.0.0.5')).toEqual({ host: plan.apiEndpoint.host, port: plan.apiEndpoint.port });
    }
    // An address as the endpoint is served too, without a name to resolve.
    const byAddress = testPlan({ apiEndpoint: { host: '192.168.150.10', port: 6443, address: '192.168.150.10' } });
    expect(endpointService(byAddress).kind).toBe('nestlab');
    expect(endpointHostEntry(byAddress)).toBeUndefined();
  });

  it('the certificate names the endpoint, its address, the machine and the lab host where its port is the way in', () => {
    expect(apiServerSans(single, '192.168.150.10', 'kvm1.example.net')).toEqual([
      'lab1-api.lab.internal',
      '192.168.150.10',
      'kvm1.example.net',
    ]);
    expect(apiServerSans(three, '192.168.150.100', '10.0.0.5')).toEqual([
      'lab1-api.lab.internal',
      '192.168.150.100',
      '192.168.150.10',
      '10.0.0.5',
    ]);
    expect(apiServerSans(testPlan(), '192.168.150.10', '10.0.0.5')).toEqual(['lab1-api.lab.internal', '192.168.150.10']);
  });

  it('refuses three control planes on Hyper-V, another port than 6443 with one control plane, and a privileged host port', () => {
    const fields = (plan: typeof single) => endpointProblems(plan).map((problem) => problem.field);
    expect(fields(testPlan({ driver: 'hyperv', controlPlaneCount: 3 }))).toEqual(['controlPlaneCount']);
    expect(endpointProblems(testPlan({ driver: 'hyperv', controlPlaneCount: 3 }))[0]?.message).toMatch(/HAProxy.*only on Linux lab hosts/);
    expect(fields(testPlan({ apiEndpoint: { ...single.apiEndpoint, port: 8443 } }))).toEqual(['apiEndpoint.port']);
    expect(fields(testPlan({ apiEndpoint: { ...single.apiEndpoint, hostPort: 443 } }))).toEqual(['apiEndpoint.hostPort']);
    expect(fields(three)).toEqual([]);
    // A load balancer of the user's own, outside the lab network: Hyper-V takes three control planes.
    expect(
      fields(
        testPlan({ driver: 'hyperv', controlPlaneCount: 3, apiEndpoint: { host: '10.1.2.3', port: 6443, address: '192.168.150.10' } }),
      ),
    ).toEqual([]);
  });

  it('host ports: one per lab, the lowest free from 16443', () => {
    expect(freeHostPort([])).toBe(16443);
    expect(freeHostPort([16443, 16445])).toBe(16444);
  });

  it("a MAC per lab and VM, stable across runs, in libvirt's range", () => {
    expect(machineMac('a1b2c3d4', 'lab1-cp1')).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
    expect(machineMac('a1b2c3d4', 'lab1-cp1')).toBe(machineMac('a1b2c3d4', 'lab1-cp1'));
    expect(machineMac('a1b2c3d4', 'lab1-cp2')).not.toBe(machineMac('a1b2c3d4', 'lab1-cp1'));
  });
});
