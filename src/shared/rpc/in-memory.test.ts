import { describe, expect, it } from 'vitest';
import type { TerminalOutput } from '../contract';
import { AppError } from '../errors';
import { Emitter } from '../event';
import { Dispatcher } from './dispatcher';
import { connectInMemory } from './in-memory';
import { createTestServices } from '../../../tests/doubles/test-services';

describe('typed client over the in-memory transport', () => {
  it('calls services as plain async methods', async () => {
    const { api } = connectInMemory(new Dispatcher(createTestServices()));
    await expect(api.system.info()).resolves.toMatchObject({ appName: 'Nestlab', appVersion: '1.2.3' });
  });

  it('rejects with an AppError rebuilt from the wire', async () => {
    const { api } = connectInMemory(new Dispatcher(createTestServices()));
    const error: unknown = await api.settings.update({ registryMirror: 'explode.example' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'FILE_IO', details: { path: '/x/settings.json' } });
  });

  it('validates on the receiving side even when the caller lies about types', async () => {
    const { api } = connectInMemory(new Dispatcher(createTestServices()));
    const update = api.settings.update as (patch: unknown) => Promise<unknown>;
    await expect(update({ theme: 'neon' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('delivers events to every listener and stops when each disposes', async () => {
    const services = createTestServices();
    const { api } = connectInMemory(new Dispatcher(services));
    const first: string[] = [];
    const second: string[] = [];
    const a = api.settings.onDidChange((state) => first.push(state.values.theme));
    const b = api.settings.onDidChange((state) => second.push(state.values.theme));
    await api.settings.update({ theme: 'dark' });
    a.dispose();
    await api.settings.update({ theme: 'light' });
    b.dispose();
    await api.settings.update({ theme: 'system' });
    expect(first).toEqual(['dark']);
    expect(second).toEqual(['dark', 'light']);
  });

  it('fails calls in flight with TRANSPORT_CLOSED when the transport closes', async () => {
    const { api, close } = connectInMemory(new Dispatcher(createTestServices()));
    close();
    await expect(api.system.info()).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
  });

  it('delivers terminal output as bytes through its binary frame, a copy of what the service sent', () => {
    const services = createTestServices();
    const output = new Emitter<TerminalOutput>();
    const { api } = connectInMemory(new Dispatcher({ ...services, terminals: { ...services.terminals, onDidOutput: output.event } }));
    const received: TerminalOutput[] = [];
    api.terminals.onDidOutput((batch) => received.push(batch));
    const sent = new TextEncoder().encode('€ ok');
    output.fire({ terminalId: 't-1', seq: 3, data: sent });
    sent.fill(0);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ terminalId: 't-1', seq: 3 });
    expect(received[0]!.data).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(received[0]!.data)).toBe('€ ok');
  });
});
