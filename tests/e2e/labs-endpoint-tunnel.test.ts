/**
 * A lab whose API port on the lab host this computer cannot reach, in Chromium (issue 19): the
 * Labs view says the lab is reached through an SSH tunnel via its host and why, and the Clusters
 * view reaches its context through that tunnel. The lab host is a real sshd with a network of its
 * own (a namespace): only its SSH port is relayed to this computer, so the lab's host port (the
 * real HAProxy listens on it there) refuses from here as behind a rejecting firewall.
 * SIMULATION: stand-in VMs; the control plane's API server is a relay on its VM address to the
 * harness's real kube-apiserver (see tests/integration/labs/lab-fixture.ts).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIMULATED_BASE_IMAGES } from '../harness/ssh/simulated-host-files';
import type { TestHost } from '../harness/ssh/test-host';
import { serveApiServerSocket } from '../integration/labs/lab-fixture';
import { ClustersPage } from './pages/clusters-page';
import { startLabHostSetup, type LabHostSetup } from './support/lab-host-setup';

const password = 'CANARY-e2e-endpoint-tunnel-7b20f4';

let setup: LabHostSetup;
let host: TestHost;
let apiServerSocket: { close(): Promise<void> };

beforeAll(async () => {
  setup = await startLabHostSetup({
    password,
    dataDirPrefix: 'nestlab-e2e-tunnel-',
    // SIMULATION: the one API server's certificate names every lab endpoint (*.lab.internal), where kubeadm names the lab's own.
    controlPlane: { extraSans: ['DNS:*.lab.internal'] },
    host: { ownNetwork: true },
  });
  ({ host } = setup);
  apiServerSocket = await serveApiServerSocket(join(host.simDir, 'apiserver.sock'), setup.controlPlane.apiServerPort);
}, 180_000);

afterAll(async () => {
  await apiServerSocket?.close();
  await setup?.stop();
});

describe('a lab reached through an SSH tunnel (SIMULATION: stand-in VMs; real sshd, HAProxy and API server)', () => {
  it('the Labs view says the lab is reached through the tunnel and why; Clusters reaches it there', { timeout: 420_000 }, async () => {
    const { app, labs } = await setup.openLabs();
    await labs.createServedLab({ baseImage: SIMULATED_BASE_IMAGES.linux, linuxWorkers: 0 });

    const fromHere = labs.detail.getByTestId('lab-endpoint-from-here');
    await expect
      .poll(() => fromHere.innerText(), { timeout: 20_000 })
      .toMatch(
        /^This computer reaches it through an SSH tunnel via kvm-lab: Nestlab listens on https:\/\/127\.0\.0\.1:(\d+) and the host carries each connection to 198\.51\.100\.10:6443 in the lab network\.$/,
      );
    const tunnelServer = /https:\/\/127\.0\.0\.1:\d+/.exec(await fromHere.innerText())![0];
    const tunnel = await labs.detail.getByTestId('lab-endpoint-tunnel').innerText();
    expect(tunnel).toMatch(/^Why the tunnel: port 16443 of 127\.0\.0\.1 did not answer from this computer \(ECONNREFUSED: /);
    expect(tunnel).toContain(`The kubeconfig in Clusters uses ${tunnelServer} with tls-server-name lab1-api.lab.internal`);
    expect(tunnel).toContain('it works only while Nestlab runs');
    // The ssh -L advice is for a way Nestlab did not take; here the tunnel is Nestlab's own.
    expect(await labs.detail.getByTestId('lab-endpoint-fallback').count()).toBe(0);
    await labs.detail.getByTestId('lab-endpoint-tunnel').scrollIntoViewIfNeeded();
    await labs.screenshotIfAsked('labs-endpoint-tunnel.png');

    // The saved context answers through the tunnel, its certificate checked against the endpoint name.
    await app.openView('Clusters');
    const clusters = new ClustersPage(app.page);
    await clusters.status('lab1').getByText('Reachable').waitFor({ timeout: 30_000 });
    expect(await clusters.context('lab1').innerText()).toContain(tunnelServer);
    // The card says it is the tunnel, through which host, and that kubectl outside needs Nestlab running.
    expect(await clusters.context('lab1').getByTestId('context-tunnel').innerText()).toBe('via SSH tunnel (kvm-lab)');
    expect(await clusters.context('lab1').innerText()).toContain('kubectl outside Nestlab reaches it only while Nestlab runs');
  });
});
