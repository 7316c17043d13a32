import { describe, expect, it } from 'vitest';
import { defaultLabPlan } from '../../../shared/contract/labs';
import type { LabPlan } from '../../../shared/contract/labs';
import { endpointAccess } from './endpoint-access';

const base = defaultLabPlan('h1', 'lab1');
const plan = (overrides: Partial<LabPlan>): LabPlan => ({ ...base, ...overrides });
const host = { name: 'kvm1', address: '10.0.0.5' };

describe('how the lab details describe the API endpoint', () => {
  it('libvirt with a host port: the kubeconfig names the lab host and its port, works outside Nestlab, and names the fallback', () => {
    const access = endpointAccess(plan({ controlPlaneCount: 3, apiEndpoint: { ...base.apiEndpoint, hostPort: 16444 } }), host);
    expect(access.endpoint).toBe('https://lab1-api.lab.internal:6443');
    expect(access.inLab).toBe(
      `In the lab network lab1-api.lab.internal is ${base.apiEndpoint.address} (libvirt's DNS and each VM's hosts file name lab1-api.lab.internal): HAProxy on kvm1, in front of the 3 control planes.`,
    );
    expect(access.kubeconfigServer).toBe('https://10.0.0.5:16444');
    expect(access.fromHere).toContain('not only in Nestlab');
    expect(access.fallback).toContain('ssh -L 16444:127.0.0.1:16444 <user>@10.0.0.5');
    expect(access.fallback).toContain('tls-server-name lab1-api.lab.internal');
  });

  it('reached through the SSH tunnel: says so and why, names 127.0.0.1 with tls-server-name, and how to use the host port again', () => {
    const served = plan({ apiEndpoint: { ...base.apiEndpoint, hostPort: 16443 } });
    const access = endpointAccess(served, host, {
      mode: 'tunnel',
      server: 'https://127.0.0.1:16443',
      localPort: 16443,
      tlsServerName: 'lab1-api.lab.internal',
      target: `${base.apiEndpoint.address}:6443`,
      reason: 'port 16443 of 10.0.0.5 did not answer from this computer (no TLS answer within 5 s)',
    });
    expect(access.kubeconfigServer).toBe('https://127.0.0.1:16443');
    expect(access.fromHere).toBe(
      `This computer reaches it through an SSH tunnel via kvm1: Nestlab listens on https://127.0.0.1:16443 and the host carries each connection to ${base.apiEndpoint.address}:6443 in the lab network.`,
    );
    expect(access.tunnel).toContain('Why the tunnel: port 16443 of 10.0.0.5 did not answer from this computer (no TLS answer within 5 s)');
    expect(access.tunnel).toContain('tls-server-name lab1-api.lab.internal');
    expect(access.tunnel).toContain('it works only while Nestlab runs');
    expect(access.tunnelProblem).toBeUndefined();
    // Reached directly: the served text, no tunnel.
    expect(endpointAccess(served, host, { mode: 'direct', server: 'https://10.0.0.5:16443' })).toEqual(endpointAccess(served, host));
  });

  it('Hyper-V (no host port): the name resolves only in the lab network, and the tunnel goes to the first control plane', () => {
    const access = endpointAccess(plan({ driver: 'hyperv' }), host);
    expect(access.inLab).toContain('the first control plane itself');
    expect(access.kubeconfigServer).toBe('https://lab1-api.lab.internal:6443');
    expect(access.fromHere).toContain('resolves only in the lab network');
    expect(access.fallback).toContain(`ssh -L 6443:${base.apiEndpoint.address}:6443 <user>@10.0.0.5`);
  });

  it('Hyper-V with a host port: a NetNat mapping forwards it, and the kubeconfig names the host and its port', () => {
    const access = endpointAccess(plan({ driver: 'hyperv', apiEndpoint: { ...base.apiEndpoint, hostPort: 16443 } }), host);
    expect(access.kubeconfigServer).toBe('https://10.0.0.5:16443');
    expect(access.fromHere).toContain(
      'a NetNat static mapping there (and a Windows Firewall rule) forwards port 16443 to the control plane. The kubeconfig in Clusters uses https://10.0.0.5:16443',
    );
  });

  it("an endpoint of the user's own: served by them, the kubeconfig uses it as it is", () => {
    const access = endpointAccess(plan({ apiEndpoint: { host: '10.1.2.3', port: 8443, address: base.apiEndpoint.address } }), host);
    expect(access.inLab).toContain('served by you');
    expect(access.kubeconfigServer).toBe('https://10.1.2.3:8443');
    expect(access.fallback).toBeUndefined();
  });
});
