import { readFile } from 'node:fs/promises';
import { validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/** electron-builder.yml as electron-builder reads it. */
async function packagingConfig(): Promise<Record<string, unknown>> {
  return parse(await readFile(new URL('../../../electron-builder.yml', import.meta.url), 'utf8')) as Record<string, unknown>;
}

describe('packaging config (electron-builder.yml)', () => {
  it('flips the Electron fuses that let local code run as the app', async () => {
    const config = await packagingConfig();
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
    // The app must then be in an asar archive, or onlyLoadAppFromAsar finds nothing to load.
    expect(config.asar).toBe(true);
  });

  it("passes electron-builder's own schema check (a misspelt fuse would be refused at packaging)", async () => {
    await expect(validateConfiguration(await packagingConfig(), new DebugLogger(false))).resolves.toBeUndefined();
    const misspelt: Record<string, unknown> = { ...(await packagingConfig()), electronFuses: { runAsNod: false } };
    await expect(validateConfiguration(misspelt, new DebugLogger(false))).rejects.toThrow(/electronFuses/);
    // electron-builder compiles its whole JSON schema on first use: seconds on a busy 2-core machine.
  }, 60_000);
});
