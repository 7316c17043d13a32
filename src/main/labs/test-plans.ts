import { defaultLabPlan } from '../../shared/contract/labs';
import type { LabPlan } from '../../shared/contract/labs';

/** A fixed plan for unit tests and snapshots: 1 control plane, 2 Linux workers, 1 Windows worker. */
export function testPlan(overrides: Partial<LabPlan> = {}): LabPlan {
  return {
    ...defaultLabPlan('host-1', 'lab1'),
    kubernetesVersion: '1.30.8',
    linuxWorkers: 2,
    windowsWorkers: 1,
    network: { mode: 'nat', cidr: '192.168.150.0/24', poolStart: '192.168.150.100', poolEnd: '192.168.150.199' },
    apiEndpoint: { host: 'lab1-api.lab.internal', port: 6443 },
    baseImage: '/var/lib/libvirt/images/nestlab-base/jammy-server-cloudimg-amd64.img',
    windowsBaseImage: '/var/lib/libvirt/images/nestlab-base/windows-server-2022.qcow2',
    ...overrides,
  };
}

export const TEST_PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHNlc3Npb24tdGVzdC1rZXktZm9yLW5lc3RsYWI nestlab-lab1';
