/**
 * Power, recreation, the failure drill and self-healing of lab machines (issue 21) against the
 * real control plane: a lab on a stand-in libvirt host (SIMULATION: stand-in virsh and VMs whose
 * nodes are simulated kubelets of the real API server; a VM that is not running stops its node's
 * heartbeats, so the real node lifecycle controller marks it NotReady and taints it, and the real
 * taint manager, ReplicaSet controller and scheduler move its pods). Cordon, drain, node reads,
 * node deletion and the timeline's events are real.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillEvent, LabSummary } from '../../../src/shared/contract/labs';
import { DEFAULT_SELF_HEALING } from '../../../src/shared/contract/labs';
import { KubeRestClient, waitFor } from '../../harness/index.js';
import { startLabFixture } from './lab-fixture';
import type { LabFixture } from './lab-fixture';

let lab: LabFixture;
let admin: KubeRestClient;
const [worker1, worker2] = ['power-linux1', 'power-linux2'];

interface NodeView {
  spec: { unschedulable?: boolean; taints?: { key: string; effect: string }[] };
  status: { nodeInfo: { bootID: string }; conditions: { type: string; status: string }[] };
}
interface PodView {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { phase?: string };
}

const node = (name: string) => admin.request<NodeView>('GET', `/api/v1/nodes/${name}`);
const ready = async (name: string) => (await node(name)).status.conditions.some((c) => c.type === 'Ready' && c.status === 'True');
const domstate = async (name: string) => (await lab.onHost(`virsh -c qemu:///system domstate ${name}`)).trim();
const statusOf = async (name: string) => (await lab.labs.machineStatuses('power')).find((status) => status.name === name);
const stepsOf = (summary: LabSummary) => summary.operation?.steps.map((step) => [step.id, step.status]);
const run = async (machine: string, request: Parameters<LabFixture['labs']['machineAction']>[2]) => {
  await lab.labs.machineAction('power', machine, request);
  const done = await lab.settled('power');
  expect(done.operation?.error).toBeUndefined();
  expect(done.status).toBe('ready');
  return done;
};

beforeAll(async () => {
  lab = await startLabFixture({ selfHealingIntervalMs: 1_000 });
  admin = new KubeRestClient(lab.controlPlane.admin, 4);
  await lab.labs.create(lab.plan('power', 1, { linuxWorkers: 2 }));
  const created = await lab.settled('power');
  expect(created.operation?.error).toBeUndefined();
}, 240_000);

afterAll(async () => {
  admin?.close();
  await lab?.stop();
});

describe('lab machine power (SIMULATION: stand-in virsh and VMs as simulated nodes of a real control plane)', () => {
  it('each machine shows its VM running beside its Ready node, and every VM autostarts with the host', async () => {
    const statuses = await lab.labs.machineStatuses('power');
    expect(statuses.map((status) => [status.name, status.power, status.node?.ready])).toEqual([
      ['power-cp1', { state: 'running', detail: 'running' }, true],
      [worker1, { state: 'running', detail: 'running' }, true],
      [worker2, { state: 'running', detail: 'running' }, true],
    ]);
    for (const name of ['power-cp1', worker1, worker2]) {
      expect(await lab.onHost(`virsh -c qemu:///system dominfo ${name}`)).toMatch(/^Autostart:\s+enable$/m);
    }
    const events = (await lab.events()).map((event) => event.slice(1, 3).join(' '));
    for (const name of ['power-cp1', worker1, worker2])
      expect(events.indexOf(`autostart ${name}`)).toBeGreaterThan(events.indexOf(`virt-install ${name}`));
  });

  it(
    'Stop drains the node, shuts the VM down (virsh shutdown, then shut off) and leaves it cordoned; its node turns NotReady',
    { timeout: 120_000 },
    async () => {
      const stopped = await run(worker1, { action: 'stop' });
      expect(stepsOf(stopped)).toEqual([
        [`cordon:${worker1}`, 'done'],
        [`drain:${worker1}`, 'skipped'],
        [`shutdown:${worker1}`, 'done'],
      ]);
      expect(await domstate(worker1)).toBe('shut off');
      const events = (await lab.events()).map((event) => event.slice(1, 3).join(' '));
      expect(events.indexOf(`shut-off ${worker1}`)).toBeGreaterThan(events.indexOf(`shutdown ${worker1}`));
      expect(await statusOf(worker1)).toMatchObject({ power: { state: 'off', detail: 'shut off' }, node: { unschedulable: true } });
      // The real node lifecycle controller notices the missing heartbeats.
      await waitFor(async () => ((await ready(worker1)) ? undefined : true), {
        timeout: 60_000,
        description: `${worker1} to turn NotReady`,
      });
    },
  );

  it(
    'Start boots the VM, waits for the node to report Ready after the boot (a new boot ID) and uncordons it',
    { timeout: 120_000 },
    async () => {
      const bootBefore = (await node(worker1)).status.nodeInfo.bootID;
      const started = await run(worker1, { action: 'start' });
      expect(stepsOf(started)).toEqual([
        [`start:${worker1}`, 'done'],
        [`ready-after-boot:${worker1}`, 'done'],
        [`uncordon:${worker1}`, 'done'],
      ]);
      const after = await node(worker1);
      expect(after.status.nodeInfo.bootID).not.toBe(bootBefore);
      expect(after.spec.unschedulable).toBeUndefined();
      expect(await ready(worker1)).toBe(true);
      expect(await statusOf(worker1)).toMatchObject({ power: { state: 'running' }, node: { ready: true, unschedulable: false } });
      // A second Start finds it running: nothing is started and no new boot is waited for.
      const again = await run(worker1, { action: 'start' });
      expect(stepsOf(again)).toEqual([
        [`start:${worker1}`, 'skipped'],
        [`ready-after-boot:${worker1}`, 'skipped'],
        [`uncordon:${worker1}`, 'skipped'],
      ]);
    },
  );

  it('Restart drains, shuts down, starts and uncordons once the node is Ready after the boot', { timeout: 120_000 }, async () => {
    const bootBefore = (await node(worker2)).status.nodeInfo.bootID;
    const restarted = await run(worker2, { action: 'restart' });
    expect(stepsOf(restarted)?.map(([id]) => id)).toEqual([
      `cordon:${worker2}`,
      `drain:${worker2}`,
      `shutdown:${worker2}`,
      `start:${worker2}`,
      `ready-after-boot:${worker2}`,
      `uncordon:${worker2}`,
    ]);
    expect((await node(worker2)).status.nodeInfo.bootID).not.toBe(bootBefore);
    expect((await node(worker2)).spec.unschedulable).toBeUndefined();
  });

  it(
    'Simulate a failure turns the VM off without draining and measures NotReady, the taint, the eviction and the replacement elsewhere',
    { timeout: 300_000 },
    async () => {
      // The app's pod lands on worker1 (worker2 cordoned meanwhile) and leaves a lost node after 2 s.
      await admin.request('PATCH', `/api/v1/nodes/${worker2}`, {
        body: { spec: { unschedulable: true } },
        contentType: 'application/merge-patch+json',
      });
      const toleration = (key: string) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 });
      await admin.request('POST', '/apis/apps/v1/namespaces/default/deployments', {
        body: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web' },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: 'web' } },
            template: {
              metadata: { labels: { app: 'web' } },
              spec: {
                containers: [{ name: 'web', image: 'registry.k8s.io/pause:3.9' }],
                tolerations: [toleration('node.kubernetes.io/unreachable'), toleration('node.kubernetes.io/not-ready')],
              },
            },
          },
        },
      });
      const webPods = async () =>
        (await admin.request<{ items: PodView[] }>('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).items;
      await waitFor(
        async () => ((await webPods()).some((pod) => pod.spec.nodeName === worker1 && pod.status.phase === 'Running') ? true : undefined),
        {
          timeout: 60_000,
          description: 'the web pod to run on worker1',
        },
      );
      await admin.request('PATCH', `/api/v1/nodes/${worker2}`, {
        body: { spec: { unschedulable: null } },
        contentType: 'application/merge-patch+json',
      });

      const drilled = await run(worker1, { action: 'simulate-failure', drillMinutes: 4 });
      expect(stepsOf(drilled)).toEqual([
        [`fail:${worker1}`, 'done'],
        [`drill:${worker1}`, 'done'],
      ]);
      const timeline = drilled.operation?.timeline ?? [];
      const first = (kind: DrillEvent['kind']) => timeline.find((event) => event.kind === kind);
      expect(timeline.map((event) => event.kind)).toEqual(['vm-off', 'node-not-ready', 'taint', 'eviction', 'rescheduled', 'end']);
      const times = timeline.map((event) => event.atMs);
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      expect(first('taint')?.text).toBe(`Node ${worker1} is tainted node.kubernetes.io/unreachable:NoExecute.`);
      expect(first('rescheduled')?.text).toMatch(
        new RegExp(`^ReplicaSet web-\\w+: default/web-\\S+ runs on ${worker2} in place of default/web-`),
      );
      expect(first('end')?.text).toBe('Every pod of the node was evicted and, where a controller owns it, runs elsewhere again.');
      // Turned off, not shut down; the node was never cordoned.
      expect(await domstate(worker1)).toBe('shut off');
      const events = (await lab.events()).map((event) => event.slice(1, 3).join(' '));
      expect(events.at(events.lastIndexOf(`destroy ${worker1}`))).toBe(`destroy ${worker1}`);
      expect((await node(worker1)).spec.unschedulable).toBeUndefined();
      const logs = (await lab.labs.logs('power', { limit: 5000 })).map((line) => line.text);
      expect(logs.some((text) => /^\+\d+\.\d s: Node power-linux1 is NotReady/.test(text))).toBe(true);

      await run(worker1, { action: 'start' });
      expect(await ready(worker1)).toBe(true);
    },
  );

  it('Recreate deletes the worker’s VM and node and joins a new VM of the same name', { timeout: 240_000 }, async () => {
    const before = (await lab.events()).length;
    const recreated = await run(worker2, { action: 'recreate' });
    expect(stepsOf(recreated)?.map(([id]) => id)).toEqual([
      `cordon:${worker2}`,
      `drain:${worker2}`,
      `delete-vm:${worker2}`,
      `delete-node:${worker2}`,
      `create-vm:${worker2}`,
      `address:${worker2}`,
      `ssh:${worker2}`,
      `join:${worker2}`,
      `annotate:${worker2}`,
      'ready',
    ]);
    const events = (await lab.events()).slice(before).map((event) => event.slice(1, 3).join(' '));
    expect(events.indexOf(`virt-install ${worker2}`)).toBeGreaterThan(events.indexOf(`undefine ${worker2}`));
    expect(events).toContain(`autostart ${worker2}`);
    expect(recreated.machines.find((machine) => machine.name === worker2)?.state).toBe('joined');
    expect(await ready(worker2)).toBe(true);
    expect((await node(worker2)).spec.unschedulable).toBeUndefined();
  });

  it(
    'self-healing recreates a worker NotReady past its grace period, then its meltdown guard trips on the next one and says why',
    { timeout: 420_000 },
    async () => {
      await admin.request('DELETE', '/apis/apps/v1/namespaces/default/deployments/web');
      const on = await lab.labs.setSelfHealing('power', {
        ...DEFAULT_SELF_HEALING,
        enabled: true,
        graceSeconds: 30,
        maxMachines: 1,
        maxFraction: 1,
      });
      expect(on.selfHealing?.events.map((event) => event.kind)).toEqual(['armed']);
      // A failure of worker1; the drill ends once the node is NotReady (no pods to follow).
      await run(worker1, { action: 'simulate-failure', drillMinutes: 2 });
      const healed = await waitFor(
        async () => {
          const summary = await lab.labs.get('power');
          return summary.operation?.kind === 'recreate-machine' && summary.status === 'ready' ? summary : undefined;
        },
        { timeout: 240_000, interval: 1_000, description: 'self-healing to recreate worker1' },
      );
      expect(healed.operation?.machine).toBe(worker1);
      expect(healed.selfHealing?.events.at(-1)).toMatchObject({
        kind: 'recreate',
        machine: worker1,
        reason: expect.stringMatching(new RegExp(`^Node ${worker1} has been NotReady for \\d+ s, past the grace period of 30 s\\.$`)),
      });
      expect(await ready(worker1)).toBe(true);
      expect(await domstate(worker1)).toBe('running');

      // The window holds its one recreation: worker2 failing is not recreated, and the guard says why.
      await run(worker2, { action: 'simulate-failure', drillMinutes: 2 });
      const tripped = await waitFor(
        async () => {
          const summary = await lab.labs.get('power');
          return summary.selfHealing?.tripped === undefined ? undefined : summary;
        },
        { timeout: 120_000, interval: 1_000, description: 'the meltdown guard to trip' },
      );
      expect(tripped.selfHealing?.tripped?.reason).toBe(
        `1 worker(s) were recreated in the last 30 min (${worker1}), the guard's limit (1): self-healing stops instead of recreating ${worker2} too. Find the cause, then turn it on again.`,
      );
      expect(tripped.operation?.kind).toBe('failure-drill');
      expect(await domstate(worker2)).toBe('shut off');
      const logs = (await lab.labs.logs('power', { limit: 5000 })).map((line) => line.text);
      expect(logs).toContain(`Self-healing: the meltdown guard tripped. ${tripped.selfHealing?.tripped?.reason ?? ''}`);
      expect(logs.some((text) => text.startsWith(`Self-healing: recreate ${worker1}. Node ${worker1} has been NotReady`))).toBe(true);
    },
  );
});
