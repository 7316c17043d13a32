import { describe, expect, it } from 'vitest';
import { Dispatcher } from './dispatcher';
import type { ServerMessage } from './messages';
import { createTestServices } from '../../../tests/doubles/test-services';

describe('Dispatcher.call', () => {
  it('calls the service with validated arguments and returns its value', async () => {
    const services = createTestServices();
    const result = await new Dispatcher(services).call('settings', 'update', [{ theme: 'dark' }]);
    expect(result).toEqual({ ok: true, value: { values: expect.objectContaining({ theme: 'dark' }) } });
    expect(services.calls).toEqual([['update', { theme: 'dark' }]]);
  });

  it.each([
    ['unknown domain', 'nope', 'info'],
    ['unknown method', 'system', 'shutdown'],
    ['prototype name as method', 'system', 'constructor'],
    ['prototype name as domain', '__proto__', 'info'],
    ['toString as domain', 'toString', 'call'],
    ['an event called like a method', 'settings', 'onDidChange'],
  ])('refuses %s with UNKNOWN_METHOD', async (_label, domain, method) => {
    const result = await new Dispatcher(createTestServices()).call(domain, method, []);
    expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
  });

  it('refuses bad arguments before the service sees them, naming the field', async () => {
    const services = createTestServices();
    const dispatcher = new Dispatcher(services);
    const badValue = await dispatcher.call('settings', 'update', [{ terminalFontSize: 400 }]);
    expect(badValue).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(JSON.stringify(badValue)).toContain('terminalFontSize');
    const unknownKey = await dispatcher.call('settings', 'update', [{ nodeIntegration: true }]);
    expect(unknownKey).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    const extraArgument = await dispatcher.call('system', 'info', ['surprise']);
    expect(extraArgument).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(services.calls).toEqual([]);
  });

  it('keeps an AppError thrown by a service, and turns other throws into INTERNAL', async () => {
    const dispatcher = new Dispatcher(createTestServices());
    expect(await dispatcher.call('settings', 'update', [{ registryMirror: 'explode.example' }])).toEqual({
      ok: false,
      error: { code: 'FILE_IO', message: 'Disk full.', details: { path: '/x/settings.json' } },
    });
    expect(await dispatcher.call('settings', 'update', [{ registryMirror: 'crash.example' }])).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'unexpected crash' },
    });
  });
});

describe('ConnectionHandler', () => {
  it('answers calls with their id and rejects malformed messages', async () => {
    const connection = new Dispatcher(createTestServices()).connect(() => undefined);
    expect(await connection.handle({ type: 'call', id: 7, domain: 'system', method: 'info', args: [] })).toMatchObject({
      type: 'result',
      id: 7,
      ok: true,
    });
    expect(await connection.handle({ type: 'call', id: 8, domain: 'system' })).toMatchObject({
      id: 8,
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    });
    expect(await connection.handle('not an object')).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it('delivers events while subscribed and stops after unsubscribe or close', async () => {
    const services = createTestServices();
    const dispatcher = new Dispatcher(services);
    const received: ServerMessage[] = [];
    const connection = dispatcher.connect((message) => received.push(message));
    await connection.handle({ type: 'subscribe', domain: 'settings', event: 'onDidChange' });
    await dispatcher.call('settings', 'update', [{ theme: 'light' }]);
    expect(received).toEqual([
      { type: 'event', domain: 'settings', event: 'onDidChange', payload: { values: expect.objectContaining({ theme: 'light' }) } },
    ]);
    await connection.handle({ type: 'unsubscribe', domain: 'settings', event: 'onDidChange' });
    await dispatcher.call('settings', 'update', [{ theme: 'dark' }]);
    expect(received).toHaveLength(1);

    await connection.handle({ type: 'subscribe', domain: 'settings', event: 'onDidChange' });
    connection.close();
    await dispatcher.call('settings', 'update', [{ theme: 'system' }]);
    expect(received).toHaveLength(1);
  });

  it('ignores subscriptions to events that are not in the contract', async () => {
    const connection = new Dispatcher(createTestServices()).connect(() => undefined);
    await expect(connection.handle({ type: 'subscribe', domain: 'settings', event: 'get' })).resolves.toBeUndefined();
  });
});
