import { createServer } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { cachedProbe, PROBE_TIMEOUT_MS, probeTcp } from './address-probe';

describe('probeTcp', () => {
  it('answers true for a listening loopback port and false once it is closed', async () => {
    const server = createServer((socket) => socket.destroy());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    expect(await probeTcp('127.0.0.1', port)).toBe(true);
    server.close();
    await once(server, 'close');
    expect(await probeTcp('127.0.0.1', port)).toBe(false);
  });

  it('never contacts documentation addresses (RFC 5737 / 3849)', async () => {
    const started = performance.now();
    expect(await probeTcp('192.0.2.10', 80)).toBe(false);
    expect(await probeTcp('2001:db8::1', 80)).toBe(false);
    // Answered at once: no connection attempt waited for its timeout.
    expect(performance.now() - started).toBeLessThan(PROBE_TIMEOUT_MS / 3);
  });

  it('keeps an answer for a while', async () => {
    let calls = 0;
    let clock = 0;
    const probe = cachedProbe(
      () => Promise.resolve(++calls > 0),
      () => clock,
      1000,
    );
    await probe('h', 1);
    await probe('h', 1);
    expect(calls).toBe(1);
    clock = 2000;
    await probe('h', 1);
    expect(calls).toBe(2);
  });
});
