/**
 * Per-host allocation of lab ranges against the simulated lab host (SIMULATION: its interfaces and
 * routes come from the stand-in `ip`, its lab bridges from the stand-in libvirt networks; see
 * tests/harness/ssh/README.md). The SSH sessions, the lab store and the provisioning are real.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_LAB_NETWORK } from '../../../src/shared/contract/labs';
import type { LabPlan, NetworkProposal } from '../../../src/shared/contract/labs';
import { parseRange, overlaps } from '../../../src/main/labs/network-allocation';
import { startLabFixture } from './lab-fixture';
import type { LabFixture } from './lab-fixture';

let lab: LabFixture;

beforeAll(async () => {
  lab = await startLabFixture();
}, 180_000);

afterAll(async () => {
  await lab?.stop();
});

/** A small lab on the proposal: one control plane, no workers (the fixture's endpoint is the test API server). */
function planFrom(name: string, proposal: NetworkProposal): LabPlan {
  const base = lab.plan(name, 1, { linuxWorkers: 0, windowsWorkers: 0 });
  return { ...base, network: proposal.network, apiEndpoint: { ...base.apiEndpoint, address: proposal.apiEndpointAddress } };
}

const ranges = (plan: LabPlan) => [plan.network.cidr, plan.network.podCidr, plan.network.serviceCidr].map((text) => parseRange(text)!);

describe('two labs on one host (SIMULATION: stand-in ip and libvirt networks on a real sshd)', () => {
  it("proposes the first free ranges, clear of the host's own networks read over SSH", async () => {
    const proposal = await lab.labs.proposeNetwork(lab.hostId);
    expect(proposal.warning).toBeUndefined();
    expect(proposal.taken).toEqual(
      expect.arrayContaining([
        { range: '192.168.1.0/24', owner: "the host's network on eth0", device: 'eth0' },
        { range: '192.168.122.0/24', owner: "the host's network on virbr0", device: 'virbr0' },
      ]),
    );
    // The first allocation: 192.168.150.0/24 (pool .100-.199, LoadBalancer .200-.239), pods 10.244.0.0/16, services 10.96.0.0/16.
    expect(proposal.network).toEqual(FIRST_LAB_NETWORK);
    expect(proposal.apiEndpointAddress).toBe('192.168.150.10');
  });

  it(
    'gives the second lab ranges disjoint from the first, and refuses a plan that reuses them, naming both',
    { timeout: 180_000 },
    async () => {
      const first = planFrom('net1', await lab.labs.proposeNetwork(lab.hostId));
      expect((await lab.labs.create(first)).status).toBe('started');
      expect((await lab.settled('net1')).status).toBe('ready');

      // The running lab's bridge is among the host's interfaces now, and the lab store knows its ranges.
      const second = await lab.labs.proposeNetwork(lab.hostId);
      expect(second.taken).toEqual(
        expect.arrayContaining([
          { range: '192.168.150.0/24', owner: "net1's lab network", lab: 'net1' },
          { range: '10.244.0.0/16', owner: "net1's pod range", lab: 'net1' },
          { range: '10.96.0.0/16', owner: "net1's service range", lab: 'net1' },
        ]),
      );
      const plan2 = planFrom('net2', second);
      for (const mine of ranges(plan2)) for (const theirs of ranges(first)) expect(overlaps(mine, theirs)).toBe(false);
      expect(plan2.network).toMatchObject({ cidr: '192.168.151.0/24', podCidr: '10.245.0.0/16', serviceCidr: '10.97.0.0/16' });

      const clash = await lab.labs.create({ ...plan2, network: { ...plan2.network, podCidr: first.network.podCidr } });
      expect(clash.status).toBe('refused');
      if (clash.status !== 'refused') return;
      expect(clash.check.problems).toContainEqual({
        field: 'network.podCidr',
        message: "The pod range 10.244.0.0/16 overlaps net1's pod range 10.244.0.0/16 on this host.",
        fix: 'Use 10.245.0.0/16, the next free pod range of this host (or "Use the next free ranges" in the form).',
      });

      expect((await lab.labs.create(plan2)).status).toBe('started');
      expect((await lab.settled('net2')).status).toBe('ready');
      const [one, two] = [await lab.labs.get('net1'), await lab.labs.get('net2')];
      for (const mine of ranges(two.plan)) for (const theirs of ranges(one.plan)) expect(overlaps(mine, theirs)).toBe(false);
      // Each lab's flannel takes its own pod range (flannel reads net-conf.json when it starts: its pods restart).
      for (const [vm, pods] of [
        ['net1-cp1', '10.244.0.0/16'],
        ['net2-cp1', '10.245.0.0/16'],
      ] as const) {
        const log = await readFile(join(lab.host.simDir, 'vms', vm, 'kubectl.log'), 'utf8');
        const netConf = JSON.stringify({ data: { 'net-conf.json': JSON.stringify({ Network: pods, Backend: { Type: 'vxlan' } }) } });
        expect(log).toContain(
          `patch configmap -n kube-flannel kube-flannel-cfg --type merge -p ${netConf}\nrollout restart daemonset -n kube-flannel kube-flannel-ds`,
        );
      }
    },
  );

  it("refuses a lab network on the host's own LAN, naming the interface", async () => {
    const plan = planFrom('lan1', await lab.labs.proposeNetwork(lab.hostId));
    const check = await lab.labs.checkPlan({
      ...plan,
      network: {
        ...plan.network,
        cidr: '192.168.1.0/24',
        poolStart: '192.168.1.100',
        poolEnd: '192.168.1.199',
        loadBalancerStart: '192.168.1.200',
        loadBalancerEnd: '192.168.1.239',
      },
      apiEndpoint: { ...plan.apiEndpoint, address: '192.168.1.10' },
    });
    expect(check.ok).toBe(false);
    expect(check.problems).toContainEqual(
      expect.objectContaining({
        field: 'network.cidr',
        message: "The lab network 192.168.1.0/24 overlaps the host's network on eth0 192.168.1.0/24 on this host.",
      }),
    );
  });
});
