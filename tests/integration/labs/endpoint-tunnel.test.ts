/**
 * A lab whose API port on the lab host is firewalled (issue 19): Nestlab finds the port closed
 * from this computer and serves the API through an SSH tunnel via the lab host instead, with the
 * saved kubeconfig naming 127.0.0.1 and tls-server-name so the certificate is still checked.
 * The lab host is a real sshd with a network namespace of its own; nft there drops the lab's
 * host port (the real HAProxy listens on it). SIMULATION: the VMs are stand-ins; the control
 * plane's API server is a relay on its VM address to the harness's real kube-apiserver. The
 * kubectl is the real one, with the kubeconfig Nestlab's terminals give it.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeTls } from '../../../src/main/labs/api-tunnels';
import { runKubectl, waitFor } from '../../harness/index.js';
import { startLabFixture } from './lab-fixture';
import type { LabFixture } from './lab-fixture';

let lab: LabFixture;

beforeAll(async () => {
  lab = await startLabFixture({ ownNetwork: true });
}, 180_000);

afterAll(async () => {
  await lab?.stop();
});

const version = async (context: string) =>
  ((await lab.clusters.requestAs(context, { path: '/version' })) as { gitVersion: string }).gitVersion;

describe("a lab whose API port the lab host's firewall drops", () => {
  it('is reached through an SSH tunnel: Nestlab and kubectl use it, it comes back after a restart, and goes with the lab', async () => {
    const endpoint = await lab.servedEndpoint('walled', 2);
    const hostPort = endpoint.hostPort!;
    await lab.host.firewall(
      `table inet nestlab_test {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    tcp dport ${hostPort} drop\n  }\n}\n`,
    );
    expect(await probeTls('127.0.0.1', hostPort, lab.controlPlane.caCertPem, 1_000)).toBe('no TLS answer within 1 s');

    expect((await lab.labs.create(lab.plan('walled', 2, { linuxWorkers: 1, apiEndpoint: endpoint }))).status).toBe('started');
    const ready = await lab.settled('walled');
    expect(ready.status, JSON.stringify(ready.operation?.error)).toBe('ready');
    // HAProxy serves the host port on the host; only the firewall keeps this computer out.
    expect(await lab.onHost('systemctl is-active nestlab-haproxy@walled')).toBe('active\n');
    const access = ready.endpointAccess;
    expect(access).toMatchObject({
      mode: 'tunnel',
      tlsServerName: 'walled-api.lab.internal',
      target: '203.0.113.10:6443',
      reason: `port ${hostPort} of 127.0.0.1 did not answer from this computer (no TLS answer within 5 s)`,
    });
    if (access?.mode !== 'tunnel') throw new Error('no tunnel');
    // The host port's number is taken here by the fixture's relay (the way to the host), so the tunnel got another port.
    expect(access.localPort).not.toBe(hostPort);
    expect(access.server).toBe(`https://127.0.0.1:${access.localPort}`);
    const logs = await lab.labs.logs('walled', { stepId: 'kubeconfig' });
    expect(logs.map((line) => line.text)).toContain(`The API endpoint goes through an SSH tunnel via the lab host: ${access.reason}.`);

    // Nestlab's own requests and every step after the kubeconfig (node annotations, readiness) went through it.
    expect(ready.machines.every((machine) => machine.state === 'joined')).toBe(true);
    expect(await version('walled')).toMatch(/^v1\.20\./);

    // The real kubectl with the kubeconfig Nestlab's terminals use: server 127.0.0.1, the certificate checked against the endpoint name.
    const kubeconfig = await lab.clusters.kubeconfigYamlFor('walled');
    expect(kubeconfig).toContain(`server: https://127.0.0.1:${access.localPort}`);
    expect(kubeconfig).toContain('tls-server-name: walled-api.lab.internal');
    const path = join(lab.dataDir, 'walled.kubeconfig');
    await writeFile(path, kubeconfig, { mode: 0o600 });
    const nodes = await runKubectl(path, ['get', 'nodes', '-o', 'name']);
    expect(nodes.exitCode, nodes.stderr).toBe(0);
    expect(nodes.stdout).toContain('node/walled-cp1');
    // A name the certificate does not carry fails the check: tls-server-name is what makes it pass.
    const wrongName = await runKubectl(path, ['get', '--raw', '/version', '--tls-server-name', 'elsewhere.example']);
    expect(wrongName.exitCode).not.toBe(0);
    expect(wrongName.stderr).toMatch(/certificate is valid for .*, not elsewhere\.example/);

    // The app restarts: the tunnel listens again on the port the saved kubeconfig names.
    lab.labs.dispose();
    await waitFor(
      async () => ((await probeTls('127.0.0.1', access.localPort, lab.controlPlane.caCertPem, 1_000)) === undefined ? undefined : true),
      {
        timeout: 10_000,
        interval: 100,
        description: 'the old service to close its tunnel',
      },
    );
    const restarted = lab.restartLabs();
    expect((await restarted.get('walled')).endpointAccess).toEqual(access);
    expect(await version('walled')).toMatch(/^v1\.20\./);

    // Deleting the lab closes the tunnel.
    await restarted.remove('walled');
    await waitFor(async () => ((await restarted.list()).some((summary) => summary.name === 'walled') ? undefined : true), {
      timeout: 120_000,
      interval: 200,
      description: 'the lab to be deleted',
    });
    expect(await probeTls('127.0.0.1', access.localPort, lab.controlPlane.caCertPem, 1_000)).toMatch(/ECONNREFUSED/);
  }, 300_000);
});
