import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { calicoResources, cniManifests, flannelNetConf, windowsCniManifests } from './cni-manifests';
import { overlaps, parseIpv4Cidr } from './network-allocation';
import { testNetwork, testPlan } from './test-plans';

/** A second lab's plan: pods 10.245.0.0/16, services 10.97.0.0/16, network 192.168.151.0/24. */
const plan = (cni: 'calico' | 'flannel', offlineBundle?: string) =>
  testPlan({ cni, network: testNetwork('192.168.151', 2), ...(offlineBundle === undefined ? {} : { offlineBundle }) });

interface IpPool {
  cidr: string;
  encapsulation: string;
}

function installationOf(yaml: string): { spec: { calicoNetwork: { ipPools: IpPool[] }; serviceCIDRs?: string[] } } {
  const documents = parseAllDocuments(yaml).map((document) => document.toJS() as { kind: string });
  expect(documents.map((document) => document.kind)).toEqual(['Installation', 'APIServer']);
  return documents[0] as unknown as ReturnType<typeof installationOf>;
}

describe('CNI resources generated from the plan', () => {
  it('gives Calico an Installation whose only pool is the plan pod range (snapshot)', () => {
    const yaml = calicoResources(plan('calico'), false);
    expect(yaml).toMatchSnapshot();
    const pools = installationOf(yaml).spec.calicoNetwork.ipPools;
    expect(pools.map((pool) => pool.cidr)).toEqual(['10.245.0.0/16']);
  });

  it("never uses Calico's upstream pool 192.168.0.0/16, and the pool stays clear of the lab network and services", () => {
    for (const windows of [false, true]) {
      const lab = plan('calico');
      const yaml = calicoResources(lab, windows);
      expect(yaml).not.toContain('192.168.0.0/16');
      const [pool] = installationOf(yaml).spec.calicoNetwork.ipPools;
      const cidr = parseIpv4Cidr(pool!.cidr)!;
      expect(overlaps(cidr, parseIpv4Cidr(lab.network.cidr)!)).toBe(false);
      expect(overlaps(cidr, parseIpv4Cidr(lab.network.serviceCidr)!)).toBe(false);
    }
  });

  it('with Windows workers: VXLAN only, the HNS dataplane, BGP off and the service range (snapshot)', () => {
    const yaml = calicoResources(plan('calico'), true);
    expect(yaml).toMatchSnapshot();
    const installation = installationOf(yaml);
    expect(installation.spec.calicoNetwork.ipPools[0]?.encapsulation).toBe('VXLAN');
    expect(installation.spec.serviceCIDRs).toEqual(['10.97.0.0/16']);
  });

  it('installs Calico from the operator manifest only: the upstream custom-resources.yaml (pool 192.168.0.0/16) is not applied', () => {
    expect(cniManifests(plan('calico'))).toEqual([
      'https://raw.githubusercontent.com/projectcalico/calico/v3.29.1/manifests/tigera-operator.yaml',
    ]);
    expect(cniManifests(plan('calico', '/srv/bundle'))).toEqual(['/opt/nestlab/bundle/manifests/tigera-operator.yaml']);
    expect(windowsCniManifests(plan('calico', '/srv/bundle')).map((manifest) => manifest.source)).toEqual([
      '/opt/nestlab/bundle/manifests/kube-proxy-windows.yml',
    ]);
  });

  it("sets flannel's Network to the plan pod range, with the VNI and port Windows nodes need when there are some (snapshot)", () => {
    expect(JSON.parse(flannelNetConf(plan('flannel'), false))).toEqual({ Network: '10.245.0.0/16', Backend: { Type: 'vxlan' } });
    expect(flannelNetConf(plan('flannel'), true)).toMatchInlineSnapshot(
      `"{"Network":"10.245.0.0/16","Backend":{"Type":"vxlan","VNI":4096,"Port":4789}}"`,
    );
    expect(cniManifests(plan('flannel', '/srv/bundle'))).toEqual(['/opt/nestlab/bundle/manifests/kube-flannel.yml']);
  });
});
