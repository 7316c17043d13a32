/**
 * "Open" of a lab's LoadBalancer Service through the SSH tunnel (issue #19), wired as the app
 * wires it: the real LabsService names the lab's host for the lab's saved context, the real
 * LabHosts' connection to that host carries the tunnel, and the real ClustersService gives
 * the API access. The lab host is a real sshd with a network namespace of its own (SIMULATION: its
 * libvirt tools and VMs are stand-ins) where the lab network's addresses are local; a real HTTP
 * server listens there on the Service's LoadBalancer address. This computer never reaches that
 * address itself.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labTunnels } from '../../../src/main/pods/lab-tunnels';
import { PodsService } from '../../../src/main/pods/pods-service';
import { runKubectl, waitFor } from '../../harness/index.js';
import { canConnect } from '../../harness/ssh/tcp-fixtures';
import { startLabFixture } from './lab-fixture';
import type { LabFixture } from './lab-fixture';

const serverScript = fileURLToPath(new URL('../pods/fixtures/lab-web-server.mjs', import.meta.url));
let lab: LabFixture;

beforeAll(async () => {
  lab = await startLabFixture({ ownNetwork: true });
}, 180_000);

afterAll(async () => {
  await lab?.stop();
});

describe("a lab's LoadBalancer Service, opened through the lab host", () => {
  it('tunnels 127.0.0.1:<port> through the host of the lab whose context it is to the Service address', async () => {
    const endpoint = await lab.servedEndpoint('web', 2);
    expect((await lab.labs.create(lab.plan('web', 2, { linuxWorkers: 1, windowsWorkers: 0, apiEndpoint: endpoint }))).status).toBe(
      'started',
    );
    const ready = await lab.settled('web');
    expect(ready.status, JSON.stringify(ready.operation?.error)).toBe('ready');
    const context = ready.context!;
    expect(context).toBeDefined();

    const manifest = join(lab.dataDir, 'open-web.yaml');
    await writeFile(
      manifest,
      [
        'apiVersion: v1',
        'kind: Namespace',
        'metadata: { name: open-web }',
        '---',
        'apiVersion: v1',
        'kind: Service',
        'metadata: { name: front, namespace: open-web }',
        'spec: { type: LoadBalancer, selector: { app: front }, ports: [{ port: 8080, targetPort: 80 }] }',
        '',
      ].join('\n'),
    );
    const applied = await runKubectl(lab.controlPlane.adminKubeconfigPath, ['apply', '-f', manifest]);
    expect(applied.exitCode, applied.stderr).toBe(0);
    const address = await waitFor(
      async () => {
        const result = await runKubectl(lab.controlPlane.adminKubeconfigPath, [
          ...['-n', 'open-web', 'get', 'service', 'front', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'],
        ]);
        return result.stdout.trim() || undefined;
      },
      { timeout: 30_000, description: 'a LoadBalancer address for the Service' },
    );

    // The app, on that address inside the lab host's network.
    const script = join(lab.host.dir, 'lab-web-server.mjs');
    await writeFile(script, await readFile(serverScript, 'utf8'), { mode: 0o644 });
    expect(await lab.onHost(`node ${script} --daemon ${address} 8080`)).toBe('listening\n');

    const pods = new PodsService({ provider: lab.clusters, labTunnels: labTunnels(lab.labs, lab.hosts) });
    try {
      const forward = await pods.startForward({
        context,
        namespace: 'open-web',
        kind: 'service',
        name: 'front',
        remotePort: 8080,
        via: 'lab-host',
      });
      expect(forward).toMatchObject({ via: 'lab-host', host: { id: lab.hostId, name: lab.hostName }, address, port: 8080 });
      expect(await (await fetch(forward.url)).text()).toContain(`Served at ${address}:8080 inside the lab network, for /.`);
      await pods.stopForward(forward.id);
      await expect(canConnect('127.0.0.1', forward.localPort)).resolves.toBe(false);
    } finally {
      await pods.dispose();
    }
  }, 300_000);
});
