/**
 * Browser mode's server with the real services, on loopback, driven by a real WebSocket
 * client (the `ws` package) and raw HTTP requests, so forged headers can be sent.
 */
import { request } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Dispatcher } from '../../../src/shared/rpc/dispatcher';
import type { ServerMessage } from '../../../src/shared/rpc/messages';
import { createServices } from '../../../src/main/services';
import { startWebServer, type RunningWebServer } from '../../../src/main/server/web-server';
import { tempDir } from '../../harness/temp-dir';

let server: RunningWebServer;
let token: string;
let origin: string;

beforeAll(async () => {
  const dataDir = await tempDir('web-data');
  const staticDir = await tempDir('web-static');
  await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>Nestlab</title>');
  token = 'T'.repeat(43);
  const services = await createServices({ mode: 'browser', appVersion: '9.9.9-test', dataDir });
  server = await startWebServer({ dispatcher: new Dispatcher(services), token, staticDir, port: 0, maxMessageBytes: 64 * 1024 });
  origin = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.close();
});

interface Opened {
  socket: WebSocket;
  next(): Promise<ServerMessage>;
}

/** Opens an RPC socket; rejects with the HTTP status when the server refuses the upgrade. */
function openSocket(options: { token?: string; origin?: string; host?: string } = {}): Promise<Opened> {
  const protocols = ['nestlab.rpc.v1', `nestlab.token.${options.token ?? token}`];
  const headers: Record<string, string> = {};
  if (options.host) headers.Host = options.host;
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/rpc`, protocols, { origin: options.origin ?? origin, headers });
  const inbox: ServerMessage[] = [];
  const waiters: ((message: ServerMessage) => void)[] = [];
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString('utf8')) as ServerMessage;
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else inbox.push(message);
  });
  const next = () => new Promise<ServerMessage>((resolve) => (inbox.length > 0 ? resolve(inbox.shift()!) : waiters.push(resolve)));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket, next }));
    socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    socket.once('error', reject);
  });
}

function httpGet(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('browser-mode server (real services on loopback)', () => {
  it('answers calls over the WebSocket with the real system service', async () => {
    const { socket, next } = await openSocket();
    socket.send(JSON.stringify({ type: 'call', id: 1, domain: 'system', method: 'info', args: [] }));
    const reply = await next();
    expect(reply).toMatchObject({ type: 'result', id: 1, ok: true, value: { appVersion: '9.9.9-test', mode: 'browser' } });
    socket.close();
  });

  it('pushes settings changes to another subscribed client', async () => {
    const watcher = await openSocket();
    const writer = await openSocket();
    watcher.socket.send(JSON.stringify({ type: 'subscribe', domain: 'settings', event: 'onDidChange' }));
    // A call on the same socket after the subscribe proves the subscription is registered.
    watcher.socket.send(JSON.stringify({ type: 'call', id: 1, domain: 'settings', method: 'get', args: [] }));
    await watcher.next();
    writer.socket.send(JSON.stringify({ type: 'call', id: 2, domain: 'settings', method: 'update', args: [{ theme: 'dark' }] }));
    expect(await watcher.next()).toMatchObject({
      type: 'event',
      domain: 'settings',
      event: 'onDidChange',
      payload: { values: { theme: 'dark' } },
    });
    expect(await writer.next()).toMatchObject({ type: 'result', id: 2, ok: true });
    watcher.socket.close();
    writer.socket.close();
  });

  it('returns a typed INVALID_ARGUMENT for bad arguments and keeps the socket open', async () => {
    const { socket, next } = await openSocket();
    socket.send(JSON.stringify({ type: 'call', id: 3, domain: 'settings', method: 'update', args: [{ terminalFontSize: -1 }] }));
    expect(await next()).toMatchObject({ id: 3, ok: false, error: { code: 'INVALID_ARGUMENT' } });
    socket.send(JSON.stringify({ type: 'call', id: 4, domain: 'system', method: 'info', args: [] }));
    expect(await next()).toMatchObject({ id: 4, ok: true });
    socket.close();
  });

  it('refuses a wrong token, a foreign Origin and a foreign Host at once', async () => {
    await expect(openSocket({ token: 'U'.repeat(43) })).rejects.toThrow('HTTP 401');
    await expect(openSocket({ origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(openSocket({ host: `rebind.example:${server.port}` })).rejects.toThrow('HTTP 421');
  });

  it('closes a socket that sends non-JSON or oversized messages', async () => {
    const { socket } = await openSocket();
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send('{not json');
    expect(await closed).toBe(1007);
    const big = await openSocket();
    const bigClosed = new Promise<number>((resolve) => big.socket.once('close', (code) => resolve(code)));
    big.socket.send(JSON.stringify({ type: 'call', id: 1, domain: 'system', method: 'info', args: ['x'.repeat(100 * 1024)] }));
    expect(await bigClosed).toBe(1009);
  });

  it('serves the renderer with security headers and no CORS', async () => {
    const page = await httpGet('/', { Host: `127.0.0.1:${server.port}` });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
    expect((await httpGet('/', { Host: `evil.example:${server.port}` })).status).toBe(421);
    // Paths leaving the folder never read the file (extensionless paths fall back to the app page).
    for (const path of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd']) {
      expect((await httpGet(path, { Host: `127.0.0.1:${server.port}` })).body).not.toContain('root:');
    }
    expect((await httpGet('/missing.js', { Host: `127.0.0.1:${server.port}` })).status).toBe(404);
  });

  it('tells a page whether its token is good without upgrading', async () => {
    const host = { Host: `127.0.0.1:${server.port}`, Origin: origin };
    expect((await httpGet('/api/session', { ...host, Authorization: `Bearer ${token}` })).status).toBe(204);
    const refused = await httpGet('/api/session', { ...host, Authorization: 'Bearer wrong' });
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'UNAUTHORIZED_CALLER' });
    expect(refused.body).not.toContain(token);
  });
});
