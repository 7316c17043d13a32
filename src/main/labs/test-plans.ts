import { defaultLabPlan, FIRST_LAB_API_ADDRESS, FIRST_LAB_NETWORK } from '../../shared/contract/labs';
import type { LabNetwork, LabPlan } from '../../shared/contract/labs';

/** A fixed plan for unit tests and snapshots: 1 control plane, 2 Linux workers, 1 Windows worker. */
export function testPlan(overrides: Partial<LabPlan> = {}): LabPlan {
  return {
    ...defaultLabPlan('host-1', 'lab1'),
    kubernetesVersion: '1.30.8',
    linuxWorkers: 2,
    windowsWorkers: 1,
    network: { ...FIRST_LAB_NETWORK },
    apiEndpoint: { host: 'lab1-api.lab.internal', port: 6443, address: FIRST_LAB_API_ADDRESS },
    baseImage: '/var/lib/libvirt/images/nestlab-base/jammy-server-cloudimg-amd64.img',
    windowsBaseImage: '/var/lib/libvirt/images/nestlab-base/windows-server-2022.qcow2',
    ...overrides,
  };
}

export const TEST_PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHNlc3Npb24tdGVzdC1rZXktZm9yLW5lc3RsYWI nestlab-lab1';

/**
 * A NAT network x.y.z.0/24 laid out like the allocation does it (pool .100-.199, LoadBalancer
 * .200-.239), with pod range 10.(243+n).0.0/16 and service range 10.(95+n).0.0/16: labs given
 * different `n` on one host overlap nowhere.
 */
export function testNetwork(prefix24: string, n = 1): LabNetwork {
  return {
    mode: 'nat',
    cidr: `${prefix24}.0/24`,
    poolStart: `${prefix24}.100`,
    poolEnd: `${prefix24}.199`,
    podCidr: `10.${243 + n}.0.0/16`,
    serviceCidr: `10.${95 + n}.0.0/16`,
    loadBalancerStart: `${prefix24}.200`,
    loadBalancerEnd: `${prefix24}.239`,
  };
}
