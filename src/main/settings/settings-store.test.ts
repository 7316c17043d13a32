import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../tests/harness/temp-dir';
import { defaultSettings } from '../../shared/schemas/settings';
import { SettingsService } from './settings-service';
import { loadSettings } from './settings-store';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await tempDir('settings');
  path = join(dir, 'settings.json');
});

describe('loadSettings', () => {
  it('gives defaults when there is no file yet, without a problem', async () => {
    expect(await loadSettings(path)).toEqual({ values: defaultSettings });
  });

  it('keeps a file that is not JSON aside, loads defaults and says where the backup is', async () => {
    await writeFile(path, '{"theme": "dark",');
    const loaded = await loadSettings(path, () => new Date('2026-11-23T10:00:00Z'));
    expect(loaded.values).toEqual(defaultSettings);
    expect(loaded.problem).toMatchObject({ code: 'FILE_CORRUPT', details: { backupPath: `${path}.corrupt-2026-11-23T10-00-00-000Z` } });
    expect(await readFile(`${path}.corrupt-2026-11-23T10-00-00-000Z`, 'utf8')).toBe('{"theme": "dark",');
  });

  it.each([['[1,2]'], ['"dark"'], ['null']])('treats %s (not an object) as corrupt', async (text) => {
    await writeFile(path, text);
    expect((await loadSettings(path)).problem?.code).toBe('FILE_CORRUPT');
  });

  it('keeps valid fields when one is invalid, and names the invalid one', async () => {
    await writeFile(path, JSON.stringify({ theme: 'dark', terminalFontSize: 'huge', registryMirror: 'mirror.lab:5000' }));
    const loaded = await loadSettings(path);
    expect(loaded.values).toEqual({ ...defaultSettings, theme: 'dark', registryMirror: 'mirror.lab:5000' });
    expect(loaded.problem).toMatchObject({ code: 'FILE_CORRUPT', details: { invalidFields: ['terminalFontSize'] } });
  });

  it('ignores unknown keys from newer or older versions without complaint', async () => {
    await writeFile(path, JSON.stringify({ theme: 'light', somethingFromTheFuture: 1 }));
    expect(await loadSettings(path)).toEqual({ values: { ...defaultSettings, theme: 'light' } });
  });
});

describe('SettingsService', () => {
  it('persists changes across instances in a private file, atomically (no temp files left)', async () => {
    await new SettingsService(dir).update({ theme: 'dark', terminalFontSize: 15 });
    expect((await new SettingsService(dir).get()).values).toMatchObject({ theme: 'dark', terminalFontSize: 15 });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['settings.json']);
  });

  it('serializes concurrent updates so none is lost', async () => {
    const service = new SettingsService(dir);
    await Promise.all([
      service.update({ theme: 'dark' }),
      service.update({ terminalFontSize: 20 }),
      service.update({ registryMirror: 'm.lab' }),
    ]);
    expect((await new SettingsService(dir).get()).values).toMatchObject({
      theme: 'dark',
      terminalFontSize: 20,
      registryMirror: 'm.lab',
    });
  });

  it('fires onDidChange with the new state, and keeps a load problem visible after a write', async () => {
    await writeFile(path, 'garbage');
    const service = new SettingsService(dir);
    const seen: string[] = [];
    service.onDidChange((state) => seen.push(`${state.values.theme}:${state.loadProblem?.code ?? '-'}`));
    await service.update({ theme: 'light' });
    await service.reset();
    expect(seen).toEqual(['light:FILE_CORRUPT', 'system:FILE_CORRUPT']);
  });
});
