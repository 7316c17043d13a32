/**
 * Container logs from the simulated kubelets (generated lines: no container runs here), read with
 * the real kubectl through the real kube-apiserver, which proxies GET /containerLogs to the
 * node's kubelet port.
 */
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKubectl, spawnKubectl, waitFor } from '../../harness/index.js';
import { createRunningPod, startKubeletLab } from './kubelet-fixtures.js';
import type { KubeletLab } from './kubelet-fixtures.js';
import type { PodView } from './kube-objects.js';

let lab: KubeletLab;
const kubectl = (...args: string[]) => runKubectl(lab.controlPlane.adminKubeconfigPath, args);
const lines = (text: string): string[] => text.split('\n').filter((line) => line !== '');
/** The n in `rid=<container>-<n>` at the end of every generated line. */
const sequence = (line: string): number => Number(/rid=[0-9a-f]{6}-(\d{6})$/.exec(line)?.[1] ?? NaN);
const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) /;

beforeAll(async () => {
  lab = await startKubeletLab();
  await Promise.all([
    createRunningPod(lab.rest, 'web-0', { containers: [{ name: 'app', ports: [80] }, { name: 'sidecar' }] }),
    createRunningPod(lab.rest, 'tail-0'),
    createRunningPod(lab.rest, 'restart-0'),
  ]);
});
afterAll(async () => {
  await lab?.stop();
});

describe('kubectl logs against simulated kubelets', () => {
  it('prints a realistic history: access lines and ANSI-coloured INFO/WARN/ERROR lines, in order, the same on every read', async () => {
    const first = await kubectl('logs', 'web-0', '-c', 'app');
    expect(first.exitCode, first.stderr).toBe(0);
    const history = lines(first.stdout);
    expect(history.length).toBeGreaterThanOrEqual(120);
    expect(history.some((line) => /^10\.244\.\d+\.\d+ - - \[.+\] "(GET|POST) \S+ HTTP\/1\.1" \d{3} \d+ /.test(line))).toBe(true);
    expect(history.some((line) => line.includes('\x1b[32mINFO\x1b[0m'))).toBe(true);
    expect(history.some((line) => line.includes('\x1b[33mWARN\x1b[0m') || line.includes('\x1b[31mERROR\x1b[0m'))).toBe(true);
    expect(history.map(sequence)).toEqual(history.map((_, index) => index));

    const again = lines((await kubectl('logs', 'web-0', '-c', 'app')).stdout);
    expect(again.slice(0, history.length)).toEqual(history);
    // Each container has its own sequence.
    const sidecar = lines((await kubectl('logs', 'web-0', '-c', 'sidecar')).stdout);
    expect(sidecar[0]).not.toEqual(history[0]);
  });

  it('cuts with --tail, --since, --limit-bytes and prefixes kubelet timestamps with --timestamps', async () => {
    const all = lines((await kubectl('logs', 'tail-0', '--timestamps')).stdout);
    const tail = lines((await kubectl('logs', 'tail-0', '--tail=5')).stdout);
    expect(tail).toHaveLength(5);
    expect(sequence(tail[4]!)).toBeGreaterThanOrEqual(sequence(all.at(-1)!.replace(TIMESTAMP, '')));

    for (const line of all) expect(line).toMatch(TIMESTAMP);
    const since = lines((await kubectl('logs', 'tail-0', '--since=60s', '--timestamps')).stdout);
    expect(since.length).toBeGreaterThan(0);
    // History spans 10 minutes before the first read, one line every 5 s.
    expect(since.length).toBeLessThan(all.length);
    for (const line of since) expect(Date.parse(TIMESTAMP.exec(line)![1]!)).toBeGreaterThanOrEqual(Date.now() - 70_000);

    const limited = await kubectl('logs', 'tail-0', '--limit-bytes=100');
    expect(Buffer.byteLength(limited.stdout)).toBe(100);
  });

  it('answers --previous with the kubelet error until the container restarted, then with the old instance', async () => {
    const none = await kubectl('logs', 'restart-0', '--previous');
    expect(none.exitCode).not.toBe(0);
    expect(none.stderr).toContain('previous terminated container "app" in pod "restart-0" not found');

    const before = lines((await kubectl('logs', 'restart-0')).stdout);
    await lab.simulation.restartContainer({ namespace: 'default', pod: 'restart-0', container: 'app' });
    const pod = await lab.rest.get<PodView & { status: { containerStatuses: Array<{ restartCount: number }> } }>(
      '/api/v1/namespaces/default/pods/restart-0',
    );
    expect(pod.status.containerStatuses[0]?.restartCount).toBe(1);

    const previous = lines((await kubectl('logs', 'restart-0', '--previous')).stdout);
    expect(previous.slice(0, before.length)).toEqual(before);
    const current = lines((await kubectl('logs', 'restart-0')).stdout);
    expect(current[0]).not.toEqual(before[0]);
  });

  it('follows with -f: lines arrive as they are written, and the kubelet sees kubectl go away', async () => {
    const web = { namespace: 'default', pod: 'web-0', container: 'app' };
    lab.simulation.kubelets!.setLogRate(20, web);
    const follow = spawnKubectl(lab.controlPlane.adminKubeconfigPath, ['logs', '-f', 'web-0', '-c', 'app', '--tail=1']);
    await follow.waitForOutput(/\n/);
    const first = sequence(lines(follow.output())[0]!);
    // Ten more lines at 20 lines/s: streaming, not one response at the end.
    await follow.waitForOutput(new RegExp(`rid=[0-9a-f]{6}-${String(first + 10).padStart(6, '0')}\\n`));
    const seen = lines(follow.output()).map(sequence);
    expect(seen).toEqual(seen.map((_, index) => first + index));
    expect(lab.simulation.kubelets!.logFollowers(web)).toBe(1);

    follow.kill('SIGKILL');
    await follow.exited;
    await waitFor(() => lab.simulation.kubelets!.logFollowers(web) === 0, {
      timeout: 10_000,
      description: 'the kubelet to drop the follower',
    });
  });

  it('ends a follow stream from the kubelet side when asked (simulated end of the log stream)', async () => {
    const follow = spawnKubectl(lab.controlPlane.adminKubeconfigPath, ['logs', '-f', 'tail-0', '--tail=2']);
    await follow.waitForOutput(/(.*\n){2}/);
    await waitFor(() => lab.simulation.kubelets!.logFollowers({ pod: 'tail-0' }) === 1, { description: 'a follower of tail-0' });
    expect(lab.simulation.kubelets!.endLogStreams({ pod: 'tail-0' })).toBe(1);
    expect(await follow.exited).toBe(0);
  });

  it('breaks a follow stream when kube-apiserver restarts; the kubelet drops it and serves the next request', async () => {
    const follow = spawnKubectl(lab.controlPlane.adminKubeconfigPath, ['logs', '-f', 'web-0', '-c', 'sidecar', '--tail=1']);
    await follow.waitForOutput(/\n/);
    await waitFor(() => lab.simulation.kubelets!.logFollowers({ pod: 'web-0', container: 'sidecar' }) === 1, { description: 'a follower' });
    await lab.controlPlane.restartApiServer({ signal: 'SIGKILL' });
    await follow.exited;
    await waitFor(() => lab.simulation.kubelets!.logFollowers({ pod: 'web-0', container: 'sidecar' }) === 0, {
      timeout: 10_000,
      description: 'the kubelet to drop the broken follower',
    });
    const after = await kubectl('logs', 'web-0', '-c', 'sidecar', '--tail=2');
    expect(lines(after.stdout)).toHaveLength(2);
  });

  it('answers 404 like a kubelet for pods it does not run (asked directly, as the API server would)', async () => {
    const node = lab.simulation.nodes[1]!;
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: node.kubeletPort, path: '/containerLogs/default/ghost/app', rejectUnauthorized: false },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(answer).toEqual({ status: 404, body: 'pod "ghost" does not exist' });
    // Through the API server, a container the pod does not have is refused before any kubelet is asked.
    const unknown = await kubectl('logs', 'web-0', '-c', 'nope');
    expect(unknown.stderr).toMatch(/container nope is not valid for pod web-0/);
  });
});
