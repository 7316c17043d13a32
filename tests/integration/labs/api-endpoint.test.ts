/**
 * The lab's API endpoint, served (issue 19): the REAL HAProxy (Debian's haproxy, run by the lab
 * host's stand-in systemctl as systemd would run its unit) in front of three control planes, on a
 * stand-in libvirt host with a network namespace of its own. SIMULATION: the VMs are stand-ins;
 * each joined control plane's API server is a relay on its VM address (a local address in the
 * host's namespace) to the harness's real kube-apiserver, and `virsh destroy` stops it with the VM.
 * HAProxy, its health checks, its configuration check and every TLS connection are real.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../harness/index.js';
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

/** GET /version from inside the lab host's namespace, as a VM of the lab network reaches the endpoint address. */
const fromLabNetwork = (address: string, port = 6443) =>
  lab.onHost(`curl -sk --max-time 5 -o /dev/null -w '%{http_code}' https://${address}:${port}/version || true`);

describe('the API endpoint served on the lab host (real haproxy; SIMULATION: stand-in VMs)', () => {
  it('one control plane: the name stands for the first control plane; its host port is refused while another program holds it, then served by its own HAProxy instance', async () => {
    const endpoint = await lab.servedEndpoint('solo', 2);
    // Another program on the lab host listens on the port first.
    await lab.onHost(
      `setsid node -e "require('net').createServer().listen(${endpoint.hostPort})" </dev/null >/dev/null 2>&1 & echo $! > "$NESTLAB_SIM_DIR/squatter.pid"; ` +
        `for attempt in $(seq 100); do [ -n "$(ss -Htln 'sport = :${endpoint.hostPort}')" ] && exit 0; sleep 0.05; done; exit 1`,
    );
    const created = await lab.labs.create(lab.plan('solo', 2, { linuxWorkers: 1, apiEndpoint: endpoint }));
    expect(created.status, JSON.stringify(created)).toBe('started');
    const failed = await lab.settled('solo');
    expect(failed.status).toBe('failed');
    expect(failed.operation?.error?.message).toBe(
      `Port ${endpoint.hostPort} of the lab host is taken by another program, so HAProxy cannot listen there for lab solo.`,
    );
    expect(await lab.onHost('systemctl is-active nestlab-haproxy@solo; true')).toBe('inactive\n');

    await lab.onHost('kill "$(cat "$NESTLAB_SIM_DIR/squatter.pid")"');
    await lab.labs.resume('solo');
    const ready = await lab.settled('solo');
    expect(ready.status, JSON.stringify(ready.operation?.error)).toBe('ready');
    // The first control plane has the endpoint address (its DHCP reservation), outside the pool.
    expect(ready.machines.map((machine) => [machine.name, machine.address])).toEqual([
      ['solo-cp1', '203.0.113.10'],
      ['solo-linux1', '203.0.113.100'],
    ]);
    const config = await lab.onHost('cat /etc/haproxy/nestlab/solo.cfg');
    expect(config).toContain(`bind :${endpoint.hostPort}`);
    expect(config).not.toContain('transparent');
    // One control plane: nothing to fail over to, so no health check that could count it down.
    expect(config).toMatch(/^ {4}server solo-cp1 203\.0\.113\.10:6443$/m);
    expect(await version('solo')).toMatch(/^v1\.20\./);
    // Inside the lab network the endpoint address is the control plane's own API server.
    expect(await fromLabNetwork('203.0.113.10')).toBe('200');
    // Another lab on this host cannot take the same host port.
    const clash = await lab.labs.checkPlan(
      lab.plan('clash', 3, { apiEndpoint: { ...endpoint, host: 'clash-api.lab.internal', address: '192.0.2.10' } }),
    );
    expect(clash.problems).toContainEqual(
      expect.objectContaining({
        field: 'apiEndpoint.hostPort',
        message: `Another lab on this host already serves its API endpoint on the host's port ${endpoint.hostPort}.`,
      }),
    );
  }, 300_000);

  it('three control planes: serves the endpoint through HAProxy, still answers with one control plane stopped, and goes with the lab', async () => {
    const endpoint = await lab.servedEndpoint('ha', 1);
    const plan = lab.plan('ha', 1, { controlPlaneCount: 3, linuxWorkers: 1, apiEndpoint: endpoint });
    const created = await lab.labs.create(plan);
    expect(created.status, JSON.stringify(created)).toBe('started');
    const ready = await lab.settled('ha');
    expect(ready.status, JSON.stringify(ready.operation?.error)).toBe('ready');
    expect(ready.operation?.steps.find((step) => step.id === 'endpoint')?.status).toBe('done');

    // The control planes got their reserved addresses (the first three of the pool), the worker the next free one.
    const addresses = Object.fromEntries(ready.machines.map((machine) => [machine.name, machine.address]));
    expect(addresses).toEqual({
      'ha-cp1': '198.51.100.100',
      'ha-cp2': '198.51.100.101',
      'ha-cp3': '198.51.100.102',
      'ha-linux1': '198.51.100.103',
    });
    // libvirt's network answers the endpoint name with the address HAProxy listens on (the host's, a /32 on the lab bridge).
    const xml = await readFile(join(lab.host.simDir, 'libvirt', 'networks', 'nestlab-ha.xml'), 'utf8');
    expect(xml).toContain("<host ip='198.51.100.10'>\n      <hostname>ha-api.lab.internal</hostname>");
    expect(xml).toContain("<ip address='198.51.100.10' prefix='32'/>");
    // Every VM resolves the name from /etc/hosts too.
    const seed = await lab.onHost('cat /var/lib/libvirt/images/nestlab-ha/ha-linux1-seed/user-data');
    expect(seed).toContain('198.51.100.10 ha-api.lab.internal');

    // The real HAProxy runs the lab's configuration as an enabled per-lab instance.
    const config = await lab.onHost('cat /etc/haproxy/nestlab/ha.cfg');
    expect(config).toContain('bind 198.51.100.10:6443 transparent');
    expect(config).toContain(`bind :${endpoint.hostPort}`);
    expect(config.match(/^ {4}server ha-cp\d 198\.51\.100\.10[012]:6443 check check-ssl verify none$/gm)).toHaveLength(3);
    expect(config.match(/^ {4}server ha-cp\d-unchecked 198\.51\.100\.10[012]:6443 backup$/gm)).toHaveLength(3);
    expect((await lab.onHost('systemctl is-active nestlab-haproxy@ha; systemctl is-enabled nestlab-haproxy@ha')).split('\n')).toEqual([
      'active',
      'enabled',
      '',
    ]);
    expect(await lab.onHost('pgrep -a haproxy')).toContain('/usr/sbin/haproxy -Ws -f /etc/haproxy/nestlab/ha.cfg');

    // The saved kubeconfig names the lab host's address and port, and works through HAProxy.
    expect(ready.context).toBe('ha');
    expect(await version('ha')).toMatch(/^v1\.20\./);
    expect(await fromLabNetwork('198.51.100.10')).toBe('200');

    // One control plane goes down with its VM: HAProxy's health check takes it out, and the endpoint still answers.
    await lab.onHost('virsh -c qemu:///system destroy ha-cp2');
    expect(await fromLabNetwork('198.51.100.101')).toBe('000');
    for (let attempt = 0; attempt < 6; attempt += 1) {
      expect(await version('ha')).toMatch(/^v1\.20\./);
      expect(await fromLabNetwork('198.51.100.10')).toBe('200');
    }
    await waitFor(
      async () =>
        (await lab.onHost('cat "$NESTLAB_SIM_DIR/systemd/nestlab-haproxy@ha.service.log"')).includes(
          'Server ha-control-planes/ha-cp2 is DOWN',
        )
          ? true
          : undefined,
      {
        timeout: 20_000,
        interval: 200,
        description: 'HAProxy to mark ha-cp2 down',
      },
    );

    // Deleting the lab stops and disables its instance and removes its configuration.
    await lab.onHost('virsh -c qemu:///system start ha-cp2');
    await lab.labs.remove('ha');
    await waitFor(async () => ((await lab.labs.list()).some((summary) => summary.name === 'ha') ? undefined : true), {
      timeout: 120_000,
      interval: 200,
      description: 'the lab to be deleted',
    });
    expect(
      await lab.onHost('systemctl is-active nestlab-haproxy@ha; systemctl is-enabled nestlab-haproxy@ha; ls /etc/haproxy/nestlab; true'),
    ).toBe('inactive\ndisabled\nsolo.cfg\n');
    // The other lab's instance was never reloaded or stopped.
    expect(await version('solo')).toMatch(/^v1\.20\./);
    expect(await lab.onHost('systemctl is-active nestlab-haproxy@solo')).toBe('active\n');
  }, 300_000);
});
