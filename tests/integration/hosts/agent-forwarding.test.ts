/**
 * Signing in with the user's ssh-agent must not forward that agent to the lab host: root there
 * (or anyone who takes the host over) could otherwise use the user's keys to reach other machines
 * for as long as the connection is open. Real OpenSSH sshd (AllowAgentForwarding is on by
 * default) and a real ssh-agent holding the host's authorized key.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabHosts } from '../../../src/main/hosts/lab-hosts';
import { MemorySecretStore } from '../../../src/main/secrets/memory-secret-store';
import { waitFor } from '../../harness/index.js';
import { simulations } from '../../harness/ssh/profiles';
import { startTestHost } from '../../harness/ssh/test-host';
import type { TestHost } from '../../harness/ssh/test-host';
import { connectToTestHost } from './connect-to-test-host';
import { tempDir } from '../../harness/temp-dir';

const run = promisify(execFile);

let host: TestHost;
let dir: string;
let agentSocket: string;
let agentPid: number | undefined;

beforeAll(async () => {
  host = await startTestHost({ simulation: simulations.nestedOn });
  dir = await tempDir('agent');
  agentSocket = join(dir, 'agent.sock');
  // -D: the agent stays in the foreground as our child, so it ends with its pid.
  const agent = spawn('ssh-agent', ['-D', '-a', agentSocket], { stdio: 'ignore' });
  agentPid = agent.pid;
  // The socket answers once the agent is up (`ssh-add -l` exits 1 for an empty agent, 2 without one).
  await waitFor(
    () =>
      run('ssh-add', ['-l'], { env: { SSH_AUTH_SOCK: agentSocket } }).then(
        () => true,
        (error: { code?: number }) => error.code === 1,
      ),
    { interval: 20, description: 'ssh-agent to listen' },
  );
  await run('ssh-add', [host.clientKey.path], { env: { SSH_AUTH_SOCK: agentSocket } });
});

afterAll(async () => {
  if (agentPid !== undefined) process.kill(agentPid, 'SIGTERM');
  await host?.stop();
});

/** What a session on the host sees as its forwarded agent ("none" when there is none). */
const printAuthSock = 'echo "${SSH_AUTH_SOCK:-none}"';

describe('agent sign-in (real sshd, real ssh-agent)', () => {
  it('signs in with the agent and forwards nothing to the host', async () => {
    const secrets = new MemorySecretStore();
    const dataDir = await mkdtemp(join(dir, 'data-'));
    const hosts = await LabHosts.create({ dataDir, secrets, agentSocket, reconnect: false });
    try {
      const added = await hosts.add({ name: 'agent-host', address: host.host, port: host.port, user: host.user, auth: { kind: 'agent' } });
      await hosts.acceptHostKey(added.id, (await host.hostKey()).fingerprint);
      const result = await hosts.run(added.id, ['sh', '-c', printAuthSock]);
      expect(result).toMatchObject({ exitCode: 0, stdout: 'none\n' });
      // The same through the connection's own channel (what terminals and labs use).
      expect((await (await hosts.connection(added.id)).exec(printAuthSock)).stdout).toBe('none\n');
    } finally {
      hosts.dispose();
    }
  });

  it('would see a forwarded agent if one were asked for (the check above can fail)', async () => {
    const client = new Client();
    const ready = new Promise<void>((resolve, reject) => {
      client.once('ready', resolve);
      client.once('error', reject);
    });
    client.connect({
      host: host.host,
      port: host.port,
      username: host.user,
      agent: agentSocket,
      agentForward: true,
      hostVerifier: () => true,
    });
    await ready;
    try {
      const output = await new Promise<string>((resolve, reject) => {
        client.exec(printAuthSock, { agentForward: true } as never, (error, channel) => {
          if (error !== undefined) return reject(error);
          let text = '';
          channel.on('data', (chunk: Buffer) => (text += chunk.toString()));
          channel.on('close', () => resolve(text));
        });
      });
      expect(output.trim()).not.toBe('none');
    } finally {
      client.end();
    }
  });

  it('a plain SshConnection with agent credentials forwards nothing either', async () => {
    const connection = connectToTestHost(host, { kind: 'agent', socketPath: agentSocket });
    try {
      expect((await connection.exec(printAuthSock)).stdout).toBe('none\n');
    } finally {
      connection.close();
    }
  });
});
