/**
 * Exec, attach and port-forward through the real kube-apiserver to the simulated kubelets, with
 * the real kubectl (and client-node for WebSocket port-forward). Exec runs REAL processes on the
 * test machine in a folder standing in for the container; port-forward reaches a small HTTP
 * server standing in for the container's port.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { join } from 'node:path';
import { KubeConfig, PortForward } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { getFreePort, processExists, runKubectl, spawnKubectl, waitFor } from '../../harness/index.js';
import { createRunningPod, startKubeletLab } from './kubelet-fixtures.js';
import type { KubeletLab } from './kubelet-fixtures.js';

let lab: KubeletLab;
const kubeconfig = (): string => lab.controlPlane.adminKubeconfigPath;
const kubectl = (...args: string[]) => runKubectl(kubeconfig(), args);
const web = { namespace: 'default', pod: 'web-0' };

beforeAll(async () => {
  lab = await startKubeletLab();
  await Promise.all([
    createRunningPod(lab.rest, 'web-0', {
      labels: { app: 'azure-vote-front' },
      containers: [
        { name: 'app', ports: [80] },
        { name: 'shell', stdin: true, tty: true },
      ],
    }),
    createRunningPod(lab.rest, 'iis-0', { os: 'windows' }),
  ]);
});
afterAll(async () => {
  await lab?.stop();
});

describe('kubectl exec against simulated kubelets (real processes)', () => {
  it('returns output, stderr and the exit code of the command', async () => {
    const result = await kubectl('exec', 'web-0', '-c', 'app', '--', 'sh', '-c', 'echo hi; echo oops >&2; exit 3');
    expect(result.stdout).toBe('hi\n');
    expect(result.stderr).toContain('oops\n');
    expect(result.stderr).toContain('command terminated with exit code 3');
    expect(result.exitCode).toBe(3);
    const record = lab.simulation.kubelets!.execSessions(web).at(-1)!;
    expect(record).toMatchObject({ kind: 'exec', command: ['sh', '-c', 'echo hi; echo oops >&2; exit 3'], tty: false, exitCode: 3 });
    // kubectl 1.32 speaks v5 (with the stdin close channel).
    expect(record.protocol).toBe('v5.channel.k8s.io');
  });

  it('speaks the v4 channel protocol to clients that do not offer v5', async () => {
    const url = new URL(`${lab.controlPlane.server.replace('https:', 'wss:')}/api/v1/namespaces/default/pods/web-0/exec`);
    for (const [key, value] of [
      ['container', 'app'],
      ['command', 'sh'],
      ['command', '-c'],
      ['command', 'echo v4; exit 2'],
      ['stdout', 'true'],
    ]) {
      url.searchParams.append(key!, value!);
    }
    const ws = new WebSocket(url, ['v4.channel.k8s.io'], {
      ca: lab.controlPlane.caCertPem,
      headers: { Authorization: `Bearer ${lab.controlPlane.adminToken}` },
    });
    const frames: Buffer[] = [];
    ws.on('message', (data: Buffer) => frames.push(data));
    await new Promise((resolve, reject) => {
      ws.on('close', resolve);
      ws.on('error', reject);
    });
    expect(ws.protocol).toBe('v4.channel.k8s.io');
    const onChannel = (channel: number): string =>
      Buffer.concat(frames.filter((frame) => frame[0] === channel).map((frame) => frame.subarray(1))).toString();
    expect(onChannel(1)).toBe('v4\n');
    expect(JSON.parse(onChannel(3))).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '2' }] },
    });
  });

  it('runs in a folder standing in for the container filesystem, which keeps files between execs', async () => {
    const dir = lab.simulation.kubelets!.containerDir({ ...web, container: 'app' });
    const where = await kubectl('exec', 'web-0', '-c', 'app', '--', 'sh', '-c', 'pwd; echo "$HOME"; echo kept > note.txt');
    expect(where.stdout).toBe(`${dir}\n${dir}\n`);
    expect(await readFile(join(dir, 'note.txt'), 'utf8')).toBe('kept\n');
    expect((await kubectl('exec', 'web-0', '-c', 'app', '--', 'cat', 'note.txt')).stdout).toBe('kept\n');
  });

  it('passes stdin with -i and closes it when kubectl reaches end of input (v5 close channel)', async () => {
    const exec = spawnKubectl(kubeconfig(), ['exec', '-i', 'web-0', '-c', 'app', '--', 'sh', '-c', 'cat; echo done']);
    exec.write('hello from stdin\n');
    exec.endInput();
    expect(await exec.exited).toBe(0);
    expect(exec.output()).toBe('hello from stdin\ndone\n');
  });

  it('gives -it a real pty that follows resizes (stty size), and reports the exit code', async () => {
    const exec = spawnKubectl(kubeconfig(), ['exec', '-it', 'web-0', '-c', 'app', '--', 'sh'], { pty: { cols: 100, rows: 30 } });
    exec.write('stty size\r');
    await exec.waitForOutput(/\b30 100\r?\n/);
    const from = exec.output().length;
    exec.resize(120, 40);
    const record = await waitFor(() =>
      lab.simulation.kubelets!.execSessions(web).find((r) => r.tty && r.resizes.some((size) => size.cols === 120 && size.rows === 40)),
    );
    expect(record.resizes[0]).toEqual({ cols: 100, rows: 30 });
    exec.write('stty size\r');
    await exec.waitForOutput(/\b40 120\r?\n/, { from });
    exec.write('exit 7\r');
    expect(await exec.exited).toBe(7);
  });

  it('kills the process when the client goes away (no leftover process)', async () => {
    const exec = spawnKubectl(kubeconfig(), ['exec', 'web-0', '-c', 'app', '--', 'sleep', '300']);
    const record = await waitFor(() =>
      lab.simulation.kubelets!.execSessions(web).find((r) => r.command[0] === 'sleep' && r.pid !== undefined),
    );
    expect(processExists(record.pid!)).toBe(true);
    exec.kill('SIGKILL');
    await waitFor(() => !processExists(record.pid!), { timeout: 10_000, description: `sleep (pid ${record.pid}) to be gone` });
    await waitFor(() => lab.simulation.kubelets!.execSessions({ pod: 'web-0' }).find((r) => r.id === record.id && !r.running));
  });

  it('maps powershell.exe on Windows pods to a real shell, keeping the requested command on record', async () => {
    const result = await kubectl('exec', 'iis-0', '--', 'powershell.exe', '-Command', 'echo hello from windows');
    expect(result.stdout).toBe('hello from windows\n');
    const record = lab.simulation.kubelets!.execSessions({ pod: 'iis-0' }).at(-1)!;
    expect(record.command).toEqual(['powershell.exe', '-Command', 'echo hello from windows']);
    expect(record.argv[0]).toMatch(/\/(bash|sh)$/);
  });

  it('fails like a container runtime for a program that does not exist, and the API server refuses unknown containers', async () => {
    const missing = await kubectl('exec', 'web-0', '-c', 'app', '--', 'no-such-program');
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toContain('executable file not found in $PATH');
    const unknown = await kubectl('exec', 'web-0', '-c', 'nope', '--', 'true');
    expect(unknown.exitCode).not.toBe(0);
    expect(unknown.stderr).toMatch(/container nope is not valid for pod web-0/);
  });
});

describe('kubectl attach against simulated kubelets', () => {
  it('joins the container’s long-running shell, which outlives the client', async () => {
    const first = spawnKubectl(kubeconfig(), ['attach', '-it', 'web-0', '-c', 'shell'], { pty: { cols: 80, rows: 24 } });
    first.write('echo attached-$((40+2)) pid=$$\r');
    const pid = (await first.waitForOutput(/attached-42 pid=(\d+)/))[1]!;
    first.kill('SIGKILL');
    await first.exited;
    expect(processExists(Number(pid))).toBe(true);

    const second = spawnKubectl(kubeconfig(), ['attach', '-it', 'web-0', '-c', 'shell'], { pty: { cols: 80, rows: 24 } });
    second.write('echo again pid=$$\r');
    await second.waitForOutput(new RegExp(`again pid=${pid}`));
    second.kill('SIGKILL');
    await second.exited;
    const attaches = lab.simulation.kubelets!.execSessions({ pod: 'web-0', container: 'shell' });
    expect(attaches.map((r) => r.kind)).toEqual(['attach', 'attach']);
  });
});

describe('port-forward against simulated kubelets (to a stand-in HTTP server per pod)', () => {
  it('makes kubectl port-forward reach the pod: the azure-vote front end answers "Azure Voting App" (SPDY after the refused WebSocket tunnel)', async () => {
    const localPort = await getFreePort();
    const forward = spawnKubectl(kubeconfig(), ['port-forward', 'pod/web-0', `${localPort}:80`]);
    try {
      await forward.waitForOutput(/Forwarding from 127\.0\.0\.1/);
      const response = await fetch(`http://127.0.0.1:${localPort}/`, { signal: AbortSignal.timeout(15_000) });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<h1>Azure Voting App</h1>');
      // Each connection is a new pair of SPDY streams; their headers share one zlib context.
      const pages = await Promise.all(
        Array.from({ length: 10 }, () =>
          fetch(`http://127.0.0.1:${localPort}/`, { headers: { Connection: 'close' }, signal: AbortSignal.timeout(15_000) }).then((r) =>
            r.text(),
          ),
        ),
      );
      for (const page of pages) expect(page).toContain('Azure Voting App');
      const records = lab.simulation.kubelets!.portForwards(web);
      expect(records.at(-1)).toMatchObject({ port: 80, protocol: 'spdy' });
      expect(records.at(-1)!.bytesFromPod).toBeGreaterThan(0);
    } finally {
      forward.kill();
      await forward.exited;
    }
  });

  it('reports a port the pod does not declare on the error stream', async () => {
    const localPort = await getFreePort();
    const forward = spawnKubectl(kubeconfig(), ['port-forward', 'pod/web-0', `${localPort}:81`]);
    try {
      await forward.waitForOutput(/Forwarding from 127\.0\.0\.1/);
      await expect(fetch(`http://127.0.0.1:${localPort}/`)).rejects.toThrow();
      await waitFor(() => /connection refused/.test(forward.errors()), { description: 'kubectl to print the forwarding error' });
      expect(lab.simulation.kubelets!.portForwards(web).at(-1)).toMatchObject({
        port: 81,
        error: expect.stringContaining('connection refused'),
      });
    } finally {
      forward.kill();
      await forward.exited;
    }
  });

  it('serves client-node PortForward over WebSocket (v4.channel.k8s.io)', async () => {
    const config = new KubeConfig();
    config.loadFromString(lab.controlPlane.adminKubeconfig);
    const portForward = new PortForward(config);
    const server: Server = createServer((socket) => {
      void portForward.portForward('default', 'web-0', [80], socket, null, socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/`, { headers: { Connection: 'close' } });
      expect(await response.text()).toContain('Azure Voting App');
      expect(lab.simulation.kubelets!.portForwards(web).at(-1)).toMatchObject({ port: 80, protocol: 'websocket' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('a failed node (simulated dead kubelet)', () => {
  it('refuses logs and exec while the node is failed, and serves them again once it recovered', async () => {
    lab.simulation.failNode('sim-windows-1');
    try {
      const refused = await kubectl('logs', 'iis-0', '--tail=1');
      expect(refused.exitCode).not.toBe(0);
      expect(refused.stderr).toMatch(/connection refused/);
    } finally {
      await lab.simulation.recoverNode('sim-windows-1');
    }
    const served = await kubectl('exec', 'iis-0', '--', 'cmd.exe', '/c', 'echo back');
    expect(served.stdout).toBe('back\n');
  });
});
