import { readdir, readFile, writeFile } from 'node:fs/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/harness/temp-dir';
import { KnownHostsStore } from './known-hosts-store';

const key = { keyType: 'ssh-ed25519', fingerprint: 'SHA256:abc', acceptedAt: '2026-01-01T00:00:00.000Z' };

describe('KnownHostsStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir('known');
  });

  it('stores, reads and forgets keys', async () => {
    const store = new KnownHostsStore(dir);
    await store.createIfAbsent();
    expect(await store.get('h1')).toBeUndefined();
    await store.set('h1', key);
    expect(await new KnownHostsStore(dir).get('h1')).toEqual(key);
    await store.delete('h1');
    expect(await store.get('h1')).toBeUndefined();
  });

  it('fails closed when the store is missing', async () => {
    await expect(new KnownHostsStore(dir).get('h1')).rejects.toMatchObject({
      code: 'HOST_KEY_STORE_CORRUPT',
      details: { reason: 'missing' },
    });
  });

  it('fails closed on a corrupt store and keeps the file aside', async () => {
    const store = new KnownHostsStore(dir);
    await writeFile(store.path, '{"version":1,"hosts":{"h1":{"keyType":');
    await expect(store.get('h1')).rejects.toMatchObject({ code: 'HOST_KEY_STORE_CORRUPT', details: { reason: 'corrupt' } });
    const files = await readdir(dir);
    expect(files.some((f) => f.startsWith('known-hosts.json.corrupt-'))).toBe(true);
    // Still closed afterwards: the corrupt file is gone, the store is missing.
    await expect(store.get('h1')).rejects.toMatchObject({ code: 'HOST_KEY_STORE_CORRUPT' });
    // createIfAbsent on a fresh folder would make a store; reset is the explicit way out here.
    await store.reset();
    expect(await store.get('h1')).toBeUndefined();
  });

  it('never replaces an existing store in createIfAbsent', async () => {
    const store = new KnownHostsStore(dir);
    await store.createIfAbsent();
    await store.set('h1', key);
    await store.createIfAbsent();
    expect(JSON.parse(await readFile(store.path, 'utf8'))).toMatchObject({ hosts: { h1: key } });
  });

  it('keeps concurrent updates', async () => {
    const store = new KnownHostsStore(dir);
    await store.createIfAbsent();
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.set(`h${i}`, key)));
    for (let i = 0; i < 10; i += 1) expect(await store.get(`h${i}`)).toEqual(key);
  });
});
