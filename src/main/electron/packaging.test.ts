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

  it('bundles the build and the catalog, unpacks node-pty, and takes the kubectls from the checked stage folder', async () => {
    const config = await packagingConfig();
    // Into app.asar: the build and package.json (production dependencies are added by electron-builder).
    expect(config.files).toEqual(['out/**', 'package.json']);
    // A native module is loaded from disk, not from inside the archive.
    expect(config.asarUnpack).toEqual(['node_modules/node-pty/**']);
    // scripts/dist.ts stages each target's kubectls (checked against SHA256SUMS) where ${os}-${arch} finds them.
    expect(config.extraResources).toEqual([
      { from: '.tmp/dist-kubectl/${os}-${arch}', to: 'bin' },
      { from: 'resources/catalog', to: 'catalog', filter: ['**/*', '!README.md'] },
    ]);
  });

  it('publishes nothing and configures no update feed: the packaged app never reaches the internet on its own', async () => {
    const config = await packagingConfig();
    expect(config).toHaveProperty('publish', null);
    const manifest = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(manifest.dependencies).filter((name) => /updater|update-electron-app|analytics|sentry/.test(name))).toEqual([]);
  });

  it("passes electron-builder's own schema check (a misspelt fuse would be refused at packaging)", async () => {
    await expect(validateConfiguration(await packagingConfig(), new DebugLogger(false))).resolves.toBeUndefined();
    const misspelt: Record<string, unknown> = { ...(await packagingConfig()), electronFuses: { runAsNod: false } };
    await expect(validateConfiguration(misspelt, new DebugLogger(false))).rejects.toThrow(/electronFuses/);
    // electron-builder compiles its whole JSON schema on first use: seconds on a busy 2-core machine.
  }, 60_000);
});
