import { SshConnection } from '../../../src/main/hosts/ssh-connection';
import type { SshCredentials } from '../../../src/main/hosts/ssh-connection';
import type { TestHost } from '../../harness/ssh/test-host';

/**
 * A connection to a test host whose current key is already accepted (as if the user accepted it
 * earlier), authenticating with the host's authorized key unless told otherwise.
 */
export function connectToTestHost(host: TestHost, credentials?: SshCredentials): SshConnection {
  return new SshConnection({
    hostId: `test-${host.port}`,
    endpoint: { host: host.host, port: host.port, username: host.user },
    credentials: () => Promise.resolve(credentials ?? { kind: 'privateKey', privateKey: host.clientKey.privateKey }),
    expectedHostKey: async () => ({ ...(await host.hostKey()), acceptedAt: new Date().toISOString() }),
    reconnect: false,
  });
}
