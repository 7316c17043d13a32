/**
 * A kubeadm + Calico lab on the simulated lab host: the CNI and MetalLB resources the engine
 * generates from the plan's ranges, as the stand-in kubectl on the first control plane received
 * them, and LoadBalancer Services through the real API server, whose addresses come from the
 * SIMULATED MetalLB assignment (tests/harness/labs/simulated-metallb.ts: no MetalLB runs here; the
 * simulation hands out the IPAddressPool the lab applied, lowest address first, as MetalLB does).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { KubeRestClient, waitFor } from '../../harness/index.js';
import { startLabFixture } from './lab-fixture';
import type { LabFixture } from './lab-fixture';

let lab: LabFixture;
let admin: KubeRestClient;

beforeAll(async () => {
  lab = await startLabFixture();
  admin = new KubeRestClient(lab.controlPlane.admin, 4);
}, 180_000);

afterAll(async () => {
  admin?.close();
  await lab?.stop();
});

interface Applied {
  kind: string;
  spec: { addresses?: string[]; calicoNetwork?: { ipPools: { cidr: string }[] } };
}

/** What `kubectl apply -f -` received on a stand-in VM, in order. */
async function appliedOn(vm: string): Promise<Applied[]> {
  const dir = join(lab.host.simDir, 'vms', vm, 'applied');
  if (!existsSync(dir)) return [];
  const documents: Applied[] = [];
  for (const file of (await readdir(dir)).sort()) {
    documents.push(...parseAllDocuments(await readFile(join(dir, file), 'utf8')).map((document) => document.toJS() as Applied));
  }
  return documents;
}

interface ServiceView {
  status?: { loadBalancer?: { ingress?: { ip?: string }[] } };
}

async function loadBalancerService(name: string): Promise<void> {
  await admin.post('/api/v1/namespaces/default/services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80 }] },
  });
}

const ingressOf = async (name: string) =>
  (await admin.get<ServiceView>(`/api/v1/namespaces/default/services/${name}`)).status?.loadBalancer?.ingress?.[0]?.ip;

describe('a kubeadm + Calico lab (SIMULATION: stand-in VMs, simulated MetalLB assignment, real API server)', () => {
  it(
    'applies a Calico pool of the plan pod range and a MetalLB pool of its LoadBalancer range; Services get addresses from that range',
    { timeout: 240_000 },
    async () => {
      // A Service created before the lab has MetalLB stays pending, as on a kubeadm cluster without one.
      await loadBalancerService('early');
      const proposal = await lab.labs.proposeNetwork(lab.hostId);
      const base = lab.plan('lb1', 1, { cni: 'calico', linuxWorkers: 1, windowsWorkers: 0 });
      const plan = { ...base, network: proposal.network, apiEndpoint: { ...base.apiEndpoint, address: proposal.apiEndpointAddress } };
      expect(await ingressOf('early')).toBeUndefined();

      expect((await lab.labs.create(plan)).status).toBe('started');
      const ready = await lab.settled('lb1');
      expect(ready.status).toBe('ready');
      const order = ready.operation?.steps.map((step) => step.id) ?? [];
      expect(order.indexOf('load-balancer')).toBe(order.indexOf('cni') + 1);
      expect(ready.operation?.steps.find((step) => step.id === 'load-balancer')?.status).toBe('done');

      const applied = await appliedOn('lb1-cp1');
      expect(applied.map((resource) => resource.kind)).toEqual(['Installation', 'APIServer', 'IPAddressPool', 'L2Advertisement']);
      expect(applied[0]?.spec.calicoNetwork?.ipPools.map((pool) => pool.cidr)).toEqual([plan.network.podCidr]);
      expect(JSON.stringify(applied)).not.toContain('192.168.0.0/16');
      expect(applied[2]?.spec.addresses).toEqual([`${plan.network.loadBalancerStart}-${plan.network.loadBalancerEnd}`]);
      const log = await readFile(join(lab.host.simDir, 'vms', 'lb1-cp1', 'kubectl.log'), 'utf8');
      expect(log).toContain('apply -f https://raw.githubusercontent.com/projectcalico/calico/v3.29.1/manifests/tigera-operator.yaml');
      expect(log).not.toContain('custom-resources.yaml');
      expect(log).toMatch(
        /apply -f https:\/\/raw\.githubusercontent\.com\/metallb\/metallb\/v0\.14\.9\/config\/manifests\/metallb-native\.yaml\nwait -n metallb-system/,
      );

      // The simulated MetalLB assignment: the pending Service first, then the next address.
      expect(await waitFor(() => ingressOf('early'), { timeout: 30_000 })).toBe(plan.network.loadBalancerStart);
      await loadBalancerService('second');
      const second = await waitFor(() => ingressOf('second'), { timeout: 30_000 });
      const [a, b, c] = plan.network.loadBalancerStart.split('.');
      expect(second).toBe(`${a}.${b}.${c}.${Number(plan.network.loadBalancerStart.split('.')[3]) + 1}`);
    },
  );
});
