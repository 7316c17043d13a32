import { describe, expect, it } from 'vitest';
import { defaultLabPlan, FIRST_LAB_API_ADDRESS, FIRST_LAB_NETWORK } from '../../shared/contract/labs';
import type { LabPlan, TakenRange } from '../../shared/contract/labs';
import {
  allocateNetwork,
  contains,
  hostNetworksFromIp,
  labRanges,
  mergeTaken,
  overlapProblems,
  overlaps,
  parseIpv4Cidr,
  parseRange,
  planRangeProblems,
  rangeText,
  slicesOutsidePool,
  withNetworkDefaults,
} from './network-allocation';
import { testNetwork, testPlan } from './test-plans';

const host = (range: string, device = 'eth0'): TakenRange => ({ range, owner: `the host's network on ${device}`, device });
const lab = (name: string, cidr: string, pods: string, services: string): TakenRange[] =>
  labRanges({ ...testPlan({ name }), network: { ...testPlan().network, cidr, podCidr: pods, serviceCidr: services } });

describe('IPv4 CIDR math', () => {
  it('parses any prefix from /0 to /32, and says whether the address is the network address', () => {
    expect(parseIpv4Cidr('10.244.0.0/16')).toEqual({ first: 0x0af40000, last: 0x0af4ffff, prefix: 16, aligned: true });
    expect(parseIpv4Cidr('10.244.1.0/16')).toMatchObject({ first: 0x0af40000, aligned: false });
    expect(parseIpv4Cidr('0.0.0.0/0')).toEqual({ first: 0, last: 2 ** 32 - 1, prefix: 0, aligned: true });
    expect(parseIpv4Cidr('255.255.255.255/32')).toEqual({ first: 2 ** 32 - 1, last: 2 ** 32 - 1, prefix: 32, aligned: true });
    expect(parseIpv4Cidr('192.168.150.7/31')).toMatchObject({ first: 0xc0a89606, last: 0xc0a89607 });
  });

  it('refuses text that is no IPv4 CIDR', () => {
    for (const text of ['10.0.0.0', '10.0.0.0/33', '10.0.0/8', '256.0.0.0/8', '10.0.0.0/-1', 'fd00::/8', '10.0.0.0/8/8', ' /24', '']) {
      expect(parseIpv4Cidr(text)).toBeUndefined();
    }
  });

  it('reads ranges as CIDR, first-last or one address, and writes them back', () => {
    expect(rangeText(parseRange('192.168.150.200-192.168.150.239')!)).toBe('192.168.150.200-192.168.150.239');
    expect(rangeText(parseRange('10.0.0.5')!)).toBe('10.0.0.5');
    expect(rangeText(parseRange('10.0.0.0/30')!)).toBe('10.0.0.0-10.0.0.3');
    expect(parseRange('10.0.0.9-10.0.0.1')).toBeUndefined();
  });

  it('overlap and containment are inclusive at both ends', () => {
    const a = parseRange('10.0.0.0/24')!;
    expect(overlaps(a, parseRange('10.0.0.255')!)).toBe(true);
    expect(overlaps(a, parseRange('10.0.1.0')!)).toBe(false);
    expect(overlaps(parseRange('10.0.0.0/8')!, parseRange('10.244.0.0/16')!)).toBe(true);
    expect(contains(a, parseRange('10.0.0.0-10.0.0.255')!)).toBe(true);
    expect(contains(a, parseRange('10.0.0.200-10.0.1.1')!)).toBe(false);
  });
});

describe("reading the host's networks (iproute2 JSON)", () => {
  const addr = JSON.stringify([
    {
      ifindex: 1,
      ifname: 'lo',
      addr_info: [
        { family: 'inet', local: '127.0.0.1', prefixlen: 8 },
        { family: 'inet6', local: '::1', prefixlen: 128 },
      ],
    },
    { ifindex: 2, ifname: 'eth0', addr_info: [{ family: 'inet', local: '192.168.1.20', prefixlen: 24 }] },
    { ifindex: 3, ifname: 'virbr0', addr_info: [{ family: 'inet', local: '192.168.122.1', prefixlen: 24 }] },
    { ifindex: 4, ifname: 'docker0', addr_info: [{ family: 'inet', local: '172.17.0.1', prefixlen: 16 }] },
    { ifindex: 5, ifname: 'down0' },
  ]);
  const route = JSON.stringify([
    { dst: 'default', gateway: '192.168.1.1', dev: 'eth0' },
    { dst: '192.168.1.0/24', dev: 'eth0', prefsrc: '192.168.1.20' },
    { dst: '10.8.0.0/16', gateway: '10.9.0.1', dev: 'wg0' },
    { dst: '203.0.113.7', dev: 'wg0' },
  ]);

  it('lists every interface network and route once, without loopback and the default route', () => {
    expect(hostNetworksFromIp(addr, route)).toEqual([
      { range: '192.168.1.0/24', owner: "the host's network on eth0", device: 'eth0' },
      { range: '192.168.122.0/24', owner: "the host's network on virbr0", device: 'virbr0' },
      { range: '172.17.0.0/16', owner: "the host's network on docker0", device: 'docker0' },
      { range: '10.8.0.0/16', owner: "the host's route to 10.8.0.0/16 via 10.9.0.1 (wg0)", device: 'wg0' },
      { range: '203.0.113.7/32', owner: "the host's route to 203.0.113.7/32 (wg0)", device: 'wg0' },
    ]);
  });

  it('says what is wrong with output that is not iproute2 JSON', () => {
    expect(() => hostNetworksFromIp('1: lo: <LOOPBACK>', '[]')).toThrow(/`ip -j addr` did not print JSON/);
    expect(() => hostNetworksFromIp('[]', '{}')).toThrow(/`ip -j route` did not print a JSON list/);
  });

  it("reports a running lab's bridge as that lab's network, once", () => {
    const labs = lab('lab2', '192.168.150.0/24', '10.244.0.0/16', '10.96.0.0/16');
    const merged = mergeTaken([host('192.168.150.0/24', 'virbr1'), host('192.168.1.0/24')], labs);
    expect(merged.filter((range) => range.range === '192.168.150.0/24')).toEqual([
      { range: '192.168.150.0/24', owner: "lab2's lab network", lab: 'lab2' },
    ]);
    expect(merged).toHaveLength(4);
  });
});

describe('allocateNetwork', () => {
  it('gives a host with nothing in the way exactly what defaultLabPlan() starts from', () => {
    expect(allocateNetwork([])).toEqual({ network: FIRST_LAB_NETWORK, apiEndpointAddress: FIRST_LAB_API_ADDRESS });
    expect(defaultLabPlan('h1').network).toEqual(FIRST_LAB_NETWORK);
    expect(defaultLabPlan('h1').apiEndpoint.address).toBe(FIRST_LAB_API_ADDRESS);
  });

  it('lays out the /24: endpoint at .10, DHCP .100-.199, LoadBalancer .200-.239, all usable and disjoint', () => {
    const { network, apiEndpointAddress } = allocateNetwork([]);
    expect(planRangeProblems({ ...testPlan(), network, apiEndpoint: { ...testPlan().apiEndpoint, address: apiEndpointAddress } })).toEqual(
      [],
    );
  });

  it('skips everything a second and a third lab on the host already hold', () => {
    const first = allocateNetwork([]);
    const taken = lab('lab1', first.network.cidr, first.network.podCidr, first.network.serviceCidr);
    const second = allocateNetwork(taken);
    expect(second.network).toMatchObject({
      cidr: '192.168.151.0/24',
      poolStart: '192.168.151.100',
      podCidr: '10.245.0.0/16',
      serviceCidr: '10.97.0.0/16',
      loadBalancerStart: '192.168.151.200',
      loadBalancerEnd: '192.168.151.239',
    });
    expect(second.apiEndpointAddress).toBe('192.168.151.10');
    const third = allocateNetwork([...taken, ...lab('lab2', second.network.cidr, second.network.podCidr, second.network.serviceCidr)]);
    expect(third.network).toMatchObject({ cidr: '192.168.152.0/24', podCidr: '10.246.0.0/16', serviceCidr: '10.98.0.0/16' });
  });

  it("avoids the host's own networks and routes, however wide", () => {
    const result = allocateNetwork([host('192.168.128.0/17'), host('10.244.0.0/14', 'wg0'), host('10.96.0.0/12', 'tun0')]);
    expect(result.network.cidr).toBe('192.168.100.0/24');
    expect(result.network.podCidr).toBe('10.248.0.0/16');
    expect(result.network.serviceCidr).toBe('10.112.0.0/16');
  });

  it('falls back to 10.10.x.0/24 when 192.168.0.0/16 is all taken, and pods below 10.244 when 10.244-255 are', () => {
    const result = allocateNetwork([host('192.168.0.0/16'), host('10.244.0.0/14'), host('10.248.0.0/13')]);
    expect(result.network.cidr).toBe('10.10.0.0/24');
    expect(result.network.podCidr).toBe('10.128.0.0/16');
  });

  it('overlaps nothing it was given, nor itself, for any mix of taken ranges (seeded random cases)', () => {
    let seed = 19;
    const random = (limit: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % limit;
    };
    for (let round = 0; round < 300; round += 1) {
      const taken: TakenRange[] = Array.from({ length: 1 + random(12) }, () => {
        const prefix = 8 + random(17);
        const address = [random(2) === 0 ? 10 : 192, random(2) === 0 ? 168 : random(256), random(256), 0].join('.');
        const range = parseIpv4Cidr(`${address}/${prefix}`)!;
        return host(`${rangeText({ first: range.first, last: range.first }).split('-')[0]}/${prefix}`);
      });
      let result;
      try {
        result = allocateNetwork(taken);
      } catch {
        continue;
      }
      const mine = [result.network.cidr, result.network.podCidr, result.network.serviceCidr].map((text) => parseRange(text)!);
      for (const range of taken) for (const own of mine) expect(overlaps(parseRange(range.range)!, own)).toBe(false);
      expect(overlaps(mine[0]!, mine[1]!) || overlaps(mine[0]!, mine[2]!) || overlaps(mine[1]!, mine[2]!)).toBe(false);
    }
  });

  it('says which list ran out when nothing is free', () => {
    expect(() => allocateNetwork([host('0.0.0.0/0')])).toThrow('No free lab network is left on this host');
    expect(() => allocateNetwork([host('192.168.0.0/16'), host('10.0.0.0/8')])).toThrow(/No free lab network/);
    expect(() => allocateNetwork([host('10.128.0.0/9')])).toThrow('No free pod range is left on this host');
  });
});

describe('planRangeProblems', () => {
  const plan = (network: Partial<LabPlan['network']>, address = '192.168.150.10', overrides: Partial<LabPlan> = {}): LabPlan => {
    const base = testPlan(overrides);
    return { ...base, network: { ...base.network, ...network }, apiEndpoint: { ...base.apiEndpoint, address } };
  };
  const fields = (value: LabPlan) => planRangeProblems(value).map((problem) => problem.field);

  it('accepts the allocated layout', () => {
    expect(planRangeProblems(testPlan())).toEqual([]);
  });

  it('wants pod and service ranges that are aligned CIDRs of a size Kubernetes takes', () => {
    expect(planRangeProblems(plan({ podCidr: '10.244.3.0/16' }))).toEqual([
      {
        field: 'network.podCidr',
        message: 'The pod range 10.244.3.0/16 does not start at its network address (10.244.0.0/16).',
        fix: 'Use 10.244.0.0/16.',
      },
    ]);
    expect(fields(plan({ podCidr: '10.244.0.0/25' }))).toEqual(['network.podCidr']);
    expect(fields(plan({ podCidr: 'pods' }))).toEqual(['network.podCidr']);
    expect(fields(plan({ serviceCidr: '10.0.0.0/11' }))).toEqual(['network.serviceCidr']);
    expect(planRangeProblems(plan({ serviceCidr: '10.0.0.0/11' }))[0]?.message).toContain(
      'the API server takes an IPv4 CIDR from /12 to /28',
    );
  });

  it('counts node subnets: each node takes a /24 of the pod range', () => {
    const [problem] = planRangeProblems(plan({ podCidr: '10.244.0.0/23' }));
    expect(problem).toMatchObject({
      field: 'network.podCidr',
      message: 'The pod range 10.244.0.0/23 has 2 node subnets (/24) for 4 nodes.',
    });
    expect(planRangeProblems(plan({ podCidr: '10.244.0.0/22' }))).toEqual([]);
  });

  it('refuses ranges of one plan that overlap, naming both', () => {
    expect(planRangeProblems(plan({ podCidr: '192.168.0.0/16' }))).toContainEqual({
      field: 'network.podCidr',
      message: 'The pod range 192.168.0.0/16 overlaps the lab network 192.168.150.0/24 of this plan.',
      fix: 'Give the pod range addresses of its own (the proposed ranges never overlap).',
    });
    expect(fields(plan({ serviceCidr: '10.244.0.0/16' }))).toEqual(['network.serviceCidr']);
  });

  it('keeps the endpoint address inside the network, off the gateway, out of the pool', () => {
    expect(fields(plan({}, '192.168.150.1'))).toEqual(['apiEndpoint.address']);
    expect(fields(plan({}, '192.168.151.10'))).toEqual(['apiEndpoint.address']);
    expect(fields(plan({}, 'lab1-api'))).toEqual(['apiEndpoint.address']);
    expect(planRangeProblems(plan({}, '192.168.150.150'))).toEqual([
      {
        field: 'apiEndpoint.address',
        message:
          'The API endpoint address 192.168.150.150 is inside the DHCP pool 192.168.150.100-192.168.150.199, so a VM could be given it.',
        fix: 'Use an address outside the pool, e.g. 192.168.150.10.',
      },
    ]);
  });

  it('keeps the LoadBalancer slice inside the network, outside the pool and off the endpoint (kubeadm)', () => {
    expect(planRangeProblems(plan({ loadBalancerStart: '192.168.150.190', loadBalancerEnd: '192.168.150.210' }))).toEqual([
      {
        field: 'network.loadBalancerStart',
        message:
          'The LoadBalancer range 192.168.150.190-192.168.150.210 overlaps the DHCP pool 192.168.150.100-192.168.150.199: MetalLB and DHCP would hand out the same addresses.',
        fix: 'Move the LoadBalancer range out of the pool (e.g. 192.168.150.200-192.168.150.239).',
      },
    ]);
    expect(fields(plan({ loadBalancerStart: '192.168.150.5', loadBalancerEnd: '192.168.150.20' }))).toEqual(['network.loadBalancerStart']);
    expect(fields(plan({ loadBalancerStart: '192.168.150.250', loadBalancerEnd: '192.168.150.255' }))).toEqual([
      'network.loadBalancerStart',
    ]);
    expect(fields(plan({ loadBalancerStart: '192.168.150.239', loadBalancerEnd: '192.168.150.200' }))).toEqual([
      'network.loadBalancerStart',
    ]);
    expect(fields(plan({ loadBalancerStart: '', loadBalancerEnd: '' }))).toEqual(['network.loadBalancerStart']);
  });

  it('leaves the LoadBalancer range alone for k3s (servicelb) and the VM network for existing machines', () => {
    expect(
      planRangeProblems(plan({ loadBalancerStart: '', loadBalancerEnd: '' }, '192.168.150.10', { distribution: 'k3s', windowsWorkers: 0 })),
    ).toEqual([]);
    expect(
      planRangeProblems(plan({ cidr: '', poolStart: '', loadBalancerStart: '' }, '', { driver: 'existing', windowsWorkers: 0 })),
    ).toEqual([]);
  });
});

describe('overlapProblems', () => {
  it("names both ranges, who holds the other, and the host's next free one", () => {
    const taken = [...lab('lab1', '192.168.150.0/24', '10.244.0.0/16', '10.96.0.0/16'), host('192.168.1.0/24')];
    const problems = overlapProblems(testPlan({ name: 'lab2' }), taken);
    expect(problems).toEqual([
      {
        field: 'network.cidr',
        message: "The lab network 192.168.150.0/24 overlaps lab1's lab network 192.168.150.0/24 on this host.",
        fix: 'Use 192.168.151.0/24, the next free lab network of this host (or "Use the next free ranges" in the form).',
      },
      {
        field: 'network.podCidr',
        message: "The pod range 10.244.0.0/16 overlaps lab1's pod range 10.244.0.0/16 on this host.",
        fix: 'Use 10.245.0.0/16, the next free pod range of this host (or "Use the next free ranges" in the form).',
      },
      {
        field: 'network.serviceCidr',
        message: "The service range 10.96.0.0/16 overlaps lab1's service range 10.96.0.0/16 on this host.",
        fix: 'Use 10.97.0.0/16, the next free service range of this host (or "Use the next free ranges" in the form).',
      },
    ]);
  });

  it("catches a pod range inside a host route, and ignores the plan's own lab", () => {
    const plan = testPlan({ name: 'lab1' });
    expect(overlapProblems(plan, [host('10.0.0.0/8', 'wg0')]).map((problem) => problem.field)).toEqual([
      'network.podCidr',
      'network.serviceCidr',
    ]);
    expect(overlapProblems(plan, lab('lab1', '192.168.150.0/24', '10.244.0.0/16', '10.96.0.0/16'))).toEqual([]);
  });

  it("expects a bridged lab on its bridge's LAN, but not on another interface's", () => {
    const bridged = testPlan({ network: { ...testNetwork('192.168.1'), mode: 'bridge', bridge: 'br0' } });
    expect(overlapProblems(bridged, [host('192.168.1.0/24', 'br0')])).toEqual([]);
    expect(overlapProblems(bridged, [host('192.168.1.0/24', 'eth1')]).map((problem) => problem.field)).toEqual(['network.cidr']);
  });
});

describe('a lab stored before the ranges were part of the plan', () => {
  it('gets the ranges it was built with, a LoadBalancer slice after its pool and an endpoint address below it', () => {
    const old = structuredClone(defaultLabPlan('h1')) as unknown as {
      network: Record<string, unknown>;
      apiEndpoint: Record<string, unknown>;
    };
    for (const key of ['podCidr', 'serviceCidr', 'loadBalancerStart', 'loadBalancerEnd']) delete old.network[key];
    delete old.apiEndpoint.address;
    const upgraded = withNetworkDefaults(old as unknown as LabPlan);
    expect(upgraded.network).toEqual({ ...FIRST_LAB_NETWORK, serviceCidr: '10.96.0.0/12' });
    expect(upgraded.apiEndpoint.address).toBe('192.168.150.10');
    expect(withNetworkDefaults(defaultLabPlan('h1'))).toEqual(defaultLabPlan('h1'));
  });

  it('places the slice before the pool when the pool runs to the end of the network, and finds none in a full one', () => {
    expect(slicesOutsidePool('10.0.0.0/24', '10.0.0.100', '10.0.0.254')).toEqual({
      loadBalancerStart: '10.0.0.60',
      loadBalancerEnd: '10.0.0.99',
      apiEndpointAddress: '10.0.0.10',
    });
    expect(slicesOutsidePool('10.0.0.0/24', '10.0.0.2', '10.0.0.254')).toBeUndefined();
    expect(slicesOutsidePool('10.0.0.0/28', '10.0.0.4', '10.0.0.8')).toEqual({
      loadBalancerStart: '10.0.0.11',
      loadBalancerEnd: '10.0.0.14',
      apiEndpointAddress: '10.0.0.10',
    });
    expect(slicesOutsidePool('10.0.0.0/28', '10.0.0.2', '10.0.0.12')).toEqual({
      loadBalancerStart: '10.0.0.14',
      loadBalancerEnd: '10.0.0.14',
      apiEndpointAddress: '10.0.0.13',
    });
  });
});
