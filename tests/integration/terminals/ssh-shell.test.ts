/**
 * SSH terminal tabs on a real OpenSSH sshd (the hosts tests' test host): a shell channel with a
 * pty on the host's shared connection.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SshConnection } from '../../../src/main/hosts/ssh-connection';
import { simulations } from '../../harness/ssh/profiles';
import { startTestHost, type TestHost } from '../../harness/ssh/test-host';
import { connectToTestHost } from '../hosts/connect-to-test-host';
import { connectTerminals } from './harness-services';

let host: TestHost;
let connection: SshConnection;
let link: ReturnType<typeof connectTerminals>;

beforeAll(async () => {
  host = await startTestHost({ simulation: simulations.nestedOn });
  connection = connectToTestHost(host);
});
afterAll(async () => {
  connection?.close();
  await host?.stop();
});
afterEach(async () => {
  await link?.dispose();
});

function connectSsh() {
  return connectTerminals({
    sshShells: {
      shell: (hostId, pty) => {
        expect(hostId).toBe('lab-1');
        return connection.shell(pty);
      },
      get: (hostId) => Promise.resolve({ name: hostId === 'lab-1' ? 'Lab one' : hostId }),
    },
  });
}

describe('SSH terminals', () => {
  it('runs commands in a pty shell, resizes it, and closing keeps the shared connection', async () => {
    link = connectSsh();
    const { client, api } = link;
    const tab = await client.open({ kind: 'ssh', hostId: 'lab-1' }, { cols: 100, rows: 30 });
    expect(tab.title).toBe('ssh: Lab one');
    expect((await client.run(tab.id, 'echo "$(whoami) $((6*7))"')).trim()).toBe(`${host.user} 42`);
    expect((await client.run(tab.id, 'echo $TERM; stty size')).trim().split('\n')).toEqual(['xterm-256color', '30 100']);
    await api.terminals.resize(tab.id, { cols: 120, rows: 40 });
    expect((await client.run(tab.id, 'stty size')).trim()).toBe('40 120');

    await api.terminals.close(tab.id);
    expect(connection.state).toBe('ready');
    expect((await connection.exec('echo still-here')).stdout.trim()).toBe('still-here');
  });

  it('shows the exit status of the remote shell', async () => {
    link = connectSsh();
    const { client, api } = link;
    const tab = await client.open({ kind: 'ssh', hostId: 'lab-1' });
    await api.terminals.write(tab.id, 'exit 3\r');
    expect(await client.waitForExit(tab.id)).toEqual({ exitCode: 3 });
  });

  it('says clearly when SSH terminals are not available', async () => {
    link = connectTerminals({});
    await expect(link.api.terminals.open({ kind: 'ssh', hostId: 'lab-1' }, { cols: 80, rows: 24 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
