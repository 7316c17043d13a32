import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { channelSockets } from './channel-socket';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A server on loopback that refuses every upgrade with `status` and `body`, as the API server or a kubelet behind it does. */
async function refusing(status: number, body: string, contentType: string): Promise<KubeConfig> {
  server = createServer();
  server.on('upgrade', (_request, socket) => {
    socket.end(
      `HTTP/1.1 ${status} Refused\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const config = new KubeConfig();
  config.loadFromOptions({
    // Plain HTTP on loopback: client-node allows it only with skipTLSVerify.
    clusters: [{ name: 'lab', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'lab', token: 'token-0123456789' }],
    contexts: [{ name: 'lab', cluster: 'lab', user: 'lab' }],
    currentContext: 'lab',
  });
  return config;
}

const refusal = async (config: KubeConfig): Promise<AppError> => {
  const error = await channelSockets(config)
    .connect('/api/v1/namespaces/default/pods/web-0/exec?command=sh', null, null)
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
};

describe('channel sockets (pod exec)', () => {
  it("says the kubelet cannot be reached when the API server's own Status refuses with a 5xx, from its code and body, not its text", async () => {
    const status = {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      message: 'dial tcp 127.0.0.1:1: connect: connection refused',
      code: 500,
    };
    const error = await refusal(await refusing(500, JSON.stringify(status), 'application/json'));
    expect(error.code).toBe('UNREACHABLE');
    expect(error.message).toContain("could not reach the kubelet of the pod's node");
    expect(error.message).toContain('connection refused');
    expect(error.details).toMatchObject({ status: 500, fix: expect.stringContaining('10250') as unknown });
  });

  it("keeps a kubelet's own refusal (a plain body) apart, and maps the API server's 4xx Statuses", async () => {
    expect((await refusal(await refusing(500, 'container runtime failed', 'text/plain'))).code).toBe('INTERNAL');
    const invalid = { kind: 'Status', message: 'container ghost is not valid for pod web-0', reason: 'BadRequest', code: 400 };
    const error = await refusal(await refusing(400, JSON.stringify(invalid), 'application/json'));
    expect(error).toMatchObject({ code: 'INVALID_INPUT', message: 'container ghost is not valid for pod web-0' });
    const forbidden = {
      kind: 'Status',
      message: 'pods "web-0" is forbidden: User "viewer" cannot create resource "pods/exec"',
      reason: 'Forbidden',
      code: 403,
    };
    expect((await refusal(await refusing(403, JSON.stringify(forbidden), 'application/json'))).code).toBe('FORBIDDEN');
  });
});
