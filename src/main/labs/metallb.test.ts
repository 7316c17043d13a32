import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { HostSummary } from '../../shared/contract/hosts';
import { useDryRunLabs } from './dry-run-labs.test-support';
import { planRangeProblems, parseIpv4Cidr, parseRange } from './network-allocation';
import { labUsesMetallb, METALLB_IMAGES, metallbManifest, metallbResources } from './metallb';
import { testNetwork, testPlan } from './test-plans';

const plan = testPlan({
  name: 'lab2',
  network: testNetwork('192.168.151', 2),
  apiEndpoint: { host: 'lab2-api.lab.internal', port: 6443, address: '192.168.151.10' },
});

interface Resource {
  kind: string;
  metadata: { name: string; namespace: string };
  spec: { addresses?: string[]; ipAddressPools?: string[] };
}
const resources = (yaml: string) => parseAllDocuments(yaml).map((document) => document.toJS() as Resource);

describe('MetalLB resources generated from the plan', () => {
  it('are an IPAddressPool of the plan LoadBalancer range and an L2Advertisement of that pool (snapshot)', () => {
    const yaml = metallbResources(plan);
    expect(yaml).toMatchSnapshot();
    const [pool, advertisement] = resources(yaml);
    expect(pool).toMatchObject({ kind: 'IPAddressPool', metadata: { name: 'lab2-lb', namespace: 'metallb-system' } });
    expect(advertisement).toMatchObject({ kind: 'L2Advertisement', spec: { ipAddressPools: ['lab2-lb'] } });
  });

  it('hand out only addresses of the lab network, outside the DHCP pool and the API endpoint address', () => {
    expect(planRangeProblems(plan)).toEqual([]);
    const [pool] = resources(metallbResources(plan));
    const network = parseIpv4Cidr(plan.network.cidr)!;
    const dhcp = parseRange(`${plan.network.poolStart}-${plan.network.poolEnd}`)!;
    const endpoint = parseRange(plan.apiEndpoint.address)!;
    for (const text of pool?.spec.addresses ?? []) {
      const range = parseRange(text)!;
      expect(range.first).toBeGreaterThan(network.first + 1);
      expect(range.last).toBeLessThan(network.last);
      expect(range.last < dhcp.first || range.first > dhcp.last).toBe(true);
      expect(range.last < endpoint.first || range.first > endpoint.last).toBe(true);
    }
    expect(pool?.spec.addresses).toEqual(['192.168.151.200-192.168.151.239']);
  });

  it('refuse a range that would collide, as the last guard behind plan validation', () => {
    const inPool = { ...plan, network: { ...plan.network, loadBalancerStart: '192.168.151.150' } };
    expect(() => metallbResources(inPool)).toThrow('overlaps the DHCP pool 192.168.151.100-192.168.151.199');
    const onEndpoint = { ...plan, network: { ...plan.network, loadBalancerStart: '192.168.151.5', loadBalancerEnd: '192.168.151.20' } };
    expect(() => metallbResources(onEndpoint)).toThrow('contains the API endpoint address 192.168.151.10');
    const outside = { ...plan, network: { ...plan.network, loadBalancerStart: '192.168.152.200', loadBalancerEnd: '192.168.152.210' } };
    expect(() => metallbResources(outside)).toThrow('is not inside the lab network 192.168.151.0/24');
  });

  it('come with the pinned manifest from upstream or the offline bundle; k3s and existing machines get none', () => {
    expect(metallbManifest(plan)).toBe('https://raw.githubusercontent.com/metallb/metallb/v0.14.9/config/manifests/metallb-native.yaml');
    expect(metallbManifest({ ...plan, offlineBundle: '/srv/bundle' })).toBe('/opt/nestlab/bundle/manifests/metallb-native.yaml');
    expect(METALLB_IMAGES).toEqual(['quay.io/metallb/controller:v0.14.9', 'quay.io/metallb/speaker:v0.14.9']);
    expect(labUsesMetallb(plan)).toBe(true);
    expect(labUsesMetallb({ ...plan, distribution: 'k3s' })).toBe(false);
    expect(labUsesMetallb({ ...plan, driver: 'existing' })).toBe(false);
  });
});

const host = { id: 'host-1', name: 'kvm-lab', os: 'linux', storagePath: '/var/lib/libvirt/images' } as HostSummary;
const labs = useDryRunLabs(() => Promise.resolve(host));

describe('the MetalLB step', () => {
  it('runs after the CNI on kubeadm labs: manifest, wait for the controller, then the pool on stdin, then its marker', async () => {
    const steps = await labs.steps({ ...plan, windowsWorkers: 0 });
    const ids = steps.map((step) => step.id);
    expect(ids.indexOf('load-balancer')).toBe(ids.indexOf('cni') + 1);
    const step = steps.find((candidate) => candidate.id === 'load-balancer');
    expect(step?.title).toBe('Install MetalLB (LoadBalancer addresses 192.168.151.200-192.168.151.239)');
    const kubectl = "'sudo' 'kubectl' '--kubeconfig' '/etc/kubernetes/admin.conf'";
    expect(step?.commands.map((command) => command.display)).toEqual([
      `${kubectl} 'get' 'configmap' '-n' 'kube-system' 'nestlab-metallb'`,
      `${kubectl} 'apply' '-f' 'https://raw.githubusercontent.com/metallb/metallb/v0.14.9/config/manifests/metallb-native.yaml'`,
      `${kubectl} 'wait' '-n' 'metallb-system' '--for=condition=Available' 'deployment/controller' '--timeout=600s'`,
      `${kubectl} 'apply' '-f' '-' < <MetalLB IPAddressPool 192.168.151.200-192.168.151.239 and L2Advertisement>`,
      `${kubectl} 'create' 'configmap' '-n' 'kube-system' 'nestlab-metallb' '--from-literal=addresses=192.168.151.200-192.168.151.239'`,
    ]);
  });

  it('is not planned for k3s, which keeps its servicelb', async () => {
    const steps = await labs.steps({ ...plan, distribution: 'k3s', windowsWorkers: 0 });
    expect(steps.map((step) => step.id)).not.toContain('load-balancer');
  });
});
