import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../src/shared/errors';
import { SshConnection } from '../../../src/main/hosts/ssh-connection';
import type { ConnectionStateChange, SshCredentials } from '../../../src/main/hosts/ssh-connection';
import type { KnownHostKey } from '../../../src/main/hosts/known-hosts-store';
import { simulations } from '../../harness/ssh/profiles';
import { startTestHost } from '../../harness/ssh/test-host';
import type { TestHost } from '../../harness/ssh/test-host';
import { closedPort, startDropProxy, startSilentServer } from '../../harness/ssh/tcp-fixtures';
import { tempDir } from '../../harness/temp-dir';

const run = promisify(execFile);

async function caught(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

function waitForState(connection: SshConnection, state: ConnectionStateChange['state']): Promise<ConnectionStateChange> {
  return new Promise((resolve) => {
    const subscription = connection.onDidChangeState((change) => {
      if (change.state === state) {
        subscription.dispose();
        resolve(change);
      }
    });
  });
}

describe('SshConnection against a real sshd', () => {
  let host: TestHost;
  let accepted: KnownHostKey;
  const connections: SshConnection[] = [];

  function open(
    credentials: SshCredentials,
    overrides: {
      port?: number;
      expected?: KnownHostKey | undefined;
      readyTimeoutMs?: number;
      via?: SshConnection;
      keepaliveIntervalMs?: number;
    } = {},
  ): SshConnection {
    const connection = new SshConnection({
      hostId: 'h1',
      endpoint: { host: '127.0.0.1', port: overrides.port ?? host.port, username: host.user },
      credentials: () => Promise.resolve(credentials),
      expectedHostKey: () => Promise.resolve('expected' in overrides ? overrides.expected : accepted),
      readyTimeoutMs: overrides.readyTimeoutMs ?? 10_000,
      keepaliveIntervalMs: overrides.keepaliveIntervalMs ?? 10_000,
      keepaliveCountMax: 2,
      reconnect: { initialDelayMs: 50, maxDelayMs: 400 },
      ...(overrides.via === undefined ? {} : { via: overrides.via }),
    });
    connections.push(connection);
    return connection;
  }
  const key = (): SshCredentials => ({ kind: 'privateKey', privateKey: host.clientKey.privateKey });

  beforeAll(async () => {
    host = await startTestHost({ simulation: simulations.nestedOn });
    const presented = await host.hostKey();
    accepted = { ...presented, acceptedAt: new Date().toISOString() };
  });
  afterAll(async () => {
    for (const connection of connections) connection.close();
    await host?.stop();
  });

  it('refuses first contact with the key type and OpenSSH fingerprint, running nothing', async () => {
    const before = await host.sessionCommandLines();
    const error = await caught(open(key(), { expected: undefined }).exec('touch /tmp/nestlab-must-not-exist'));
    expect(error.code).toBe('HOST_KEY_UNKNOWN');
    expect(error.details).toMatchObject(await host.hostKey());
    expect(await host.sessionCommandLines()).toBe(before);
  });

  it('runs commands once the key is accepted, many channels on one connection', async () => {
    const connection = open(key());
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => connection.exec(`echo ${i}; echo err >&2; exit ${i % 3}`)));
    results.forEach((result, i) => {
      expect(result).toMatchObject({ stdout: `${i}\n`, stderr: 'err\n', exitCode: i % 3 });
    });
    const stdin = await connection.exec('cat', { stdin: 'from stdin' });
    expect(stdin.stdout).toBe('from stdin');
  });

  it('authenticates with a passphrase-protected key, and refuses a wrong passphrase', async () => {
    const { privateKey, passphrase } = host.encryptedClientKey;
    expect((await open({ kind: 'privateKey', privateKey, passphrase }).exec('id -un')).stdout).toBe(`${host.user}\n`);
    const error = await caught(open({ kind: 'privateKey', privateKey, passphrase: 'wrong' }).connect());
    expect(error.code).toBe('SSH_AUTH_FAILED');
    expect(error.details).toMatchObject({ reason: 'private-key' });
    expect(JSON.stringify(error)).not.toContain(passphrase);
  });

  it('authenticates with a password and refuses a wrong one', async () => {
    expect((await open({ kind: 'password', password: host.password }).exec('id -un')).stdout).toBe(`${host.user}\n`);
    const error = await caught(open({ kind: 'password', password: 'not-the-password' }).connect());
    expect(error.code).toBe('SSH_AUTH_FAILED');
    expect(error.details).toMatchObject({ username: host.user });
  });

  it('refuses a key the host does not authorize', async () => {
    const error = await caught(open({ kind: 'privateKey', privateKey: host.unauthorizedKey.privateKey }).connect());
    expect(error.code).toBe('SSH_AUTH_FAILED');
  });

  it('authenticates through ssh-agent', async () => {
    const dir = await tempDir('agent');
    const socketPath = join(dir, 'agent.sock');
    // ssh-agent prints its environment lines once its socket is listening.
    const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', socketPath], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await new Promise<void>((resolve, reject) => {
        agent.stdout?.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('SSH_AUTH_SOCK')) resolve();
        });
        agent.once('exit', () => reject(new Error('ssh-agent exited before it was ready')));
      });
      await run('ssh-add', [host.clientKey.path], { env: { ...process.env, SSH_AUTH_SOCK: socketPath } });
      expect((await open({ kind: 'agent', socketPath }).exec('echo agent')).stdout).toBe('agent\n');
    } finally {
      agent.kill();
    }
  });

  it('reports a closed port as UNREACHABLE', async () => {
    const error = await caught(open(key(), { port: await closedPort() }).connect());
    expect(error.code).toBe('UNREACHABLE');
  });

  it('times out the handshake on a port that never speaks SSH', async () => {
    const silent = await startSilentServer();
    try {
      const error = await caught(open(key(), { port: silent.port, readyTimeoutMs: 500 }).connect());
      expect(error.code).toBe('SSH_HANDSHAKE_FAILED');
      expect(silent.accepted()).toBe(1);
    } finally {
      await silent.close();
    }
  });

  it('fails a command cut by a dropped link with SSH_DISCONNECTED, then reconnects by itself', async () => {
    const proxy = await startDropProxy(host.port);
    try {
      const connection = open(key(), { port: proxy.port });
      await connection.connect();
      const started = connection.exec('echo started; sleep 30');
      // The remote command is running once the stand-in login shell has logged it.
      await expect.poll(async () => (await host.sessionCommandLines()).includes('sleep 30'), { interval: 20 }).toBe(true);
      const reconnected = waitForState(connection, 'ready');
      const reconnecting = waitForState(connection, 'reconnecting');
      proxy.dropAll();
      const error = await caught(started);
      expect(error.code).toBe('SSH_DISCONNECTED');
      expect((await reconnecting).error?.code).toBe('SSH_DISCONNECTED');
      await reconnected;
      expect(proxy.connections()).toBe(2);
      expect((await connection.exec('echo again')).stdout).toBe('again\n');
    } finally {
      await proxy.close();
    }
  });

  it('backs off between reconnect attempts, doubling up to the cap', async () => {
    const proxy = await startDropProxy(host.port);
    const connection = open(key(), { port: proxy.port });
    await connection.connect();
    const delays: number[] = [];
    const fiveAttempts = new Promise<void>((resolve) => {
      const subscription = connection.onDidChangeState((change) => {
        if (change.state !== 'reconnecting' || change.retryInMs === undefined) return;
        delays.push(change.retryInMs);
        if (delays.length === 5) {
          subscription.dispose();
          resolve();
        }
      });
    });
    // The relay stops listening, then the link drops: every reconnect is refused.
    await proxy.close();
    proxy.dropAll();
    await fiveAttempts;
    connection.close();
    expect(delays).toEqual([50, 100, 200, 400, 400]);
  });

  it('notices a link that went silent through keepalives and fails the running command', async () => {
    const proxy = await startDropProxy(host.port);
    try {
      const connection = open(key(), { port: proxy.port, keepaliveIntervalMs: 100 });
      await connection.connect();
      const running = connection.exec('sleep 31');
      await expect.poll(async () => (await host.sessionCommandLines()).includes('sleep 31'), { interval: 20 }).toBe(true);
      const reconnecting = waitForState(connection, 'reconnecting');
      proxy.freezeAll();
      expect((await caught(running)).code).toBe('SSH_DISCONNECTED');
      await reconnecting;
    } finally {
      await proxy.close();
    }
  });

  it('stops a command at its timeout, on cancellation and past its output limit', async () => {
    const connection = open(key());
    expect((await caught(connection.exec('sleep 20', { timeoutMs: 200 }))).code).toBe('TIMEOUT');
    const controller = new AbortController();
    const running = connection.exec('sleep 20', { signal: controller.signal });
    controller.abort();
    expect((await caught(running)).code).toBe('CANCELLED');
    const flood = await caught(connection.exec('head -c 3000000 /dev/zero', { maxOutputBytes: 1_000_000 }));
    expect(flood).toMatchObject({ code: 'PROGRAM_FAILED', details: { maxOutputBytes: 1_000_000 } });
    // The shared connection is still usable.
    expect((await connection.exec('echo ok')).stdout).toBe('ok\n');
  });

  it('reaches a host through a jump host', async () => {
    const jump = open(key());
    const target = open(key(), { via: jump });
    expect((await target.exec('echo via-jump')).stdout).toBe('via-jump\n');
  });

  it('refuses a changed host key with both fingerprints after the host is reinstalled', async () => {
    const old = accepted.fingerprint;
    await host.restartWithNewHostKey();
    const presented = (await host.hostKey()).fingerprint;
    expect(presented).not.toBe(old);
    const error = await caught(open(key()).exec('touch /tmp/nestlab-must-not-exist'));
    expect(error.code).toBe('HOST_KEY_CHANGED');
    expect(error.details).toMatchObject({ expected: old, presented });
    expect(existsSync('/tmp/nestlab-must-not-exist')).toBe(false);
  });
});
