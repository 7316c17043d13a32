/** Shared helpers of the clusters integration tests. */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { expect } from 'vitest';
import { ClustersService, type ClustersServiceOptions } from '../../../src/main/clusters/clusters-service';
import { OsEncryptionSecretStore } from '../../../src/main/secrets/os-encryption-secret-store';
import { createTestOsEncryption } from '../../../src/main/secrets/test-os-encryption';
import { AppError } from '../../../src/shared/errors';
import { tempDir } from '../../harness/temp-dir';

/** The harness's temp folders: removed after the test file's last test. */
export { tempDir };

/** A service on a fresh data folder with encrypted secrets (as the desktop app keeps them). */
export async function createClustersService(
  options: Partial<ClustersServiceOptions> = {},
): Promise<{ service: ClustersService; dataDir: string }> {
  const dataDir = options.dataDir ?? (await tempDir('clusters-data'));
  const service = new ClustersService({
    dataDir,
    secrets: new OsEncryptionSecretStore({ dataDir, encryption: createTestOsEncryption() }),
    refreshIntervalMs: 0,
    homeDir: await tempDir('clusters-home'),
    env: {},
    ...options,
  });
  return { service, dataDir };
}

export async function caught(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

/** Every file under a folder as text, for "no secret in plain text" checks. */
export async function folderText(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true });
  const texts = await Promise.all(names.map((name) => readFile(join(dir, name), 'utf8').catch(() => '')));
  return texts.join('\n');
}

export interface KubeconfigParts {
  server: string;
  caPem?: string;
  token?: string;
  user?: Record<string, unknown>;
  cluster?: Record<string, unknown>;
  names?: { cluster?: string; user?: string; context?: string };
}

/** A one-context kubeconfig object; `user`/`cluster` override fields. */
export function kubeconfig(parts: KubeconfigParts): Record<string, unknown> {
  const cluster = parts.names?.cluster ?? 'lab';
  const user = parts.names?.user ?? 'lab-admin';
  const context = parts.names?.context ?? `${user}@${cluster}`;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: cluster,
        cluster: {
          server: parts.server,
          ...(parts.caPem === undefined ? {} : { 'certificate-authority-data': Buffer.from(parts.caPem).toString('base64') }),
          ...parts.cluster,
        },
      },
    ],
    users: [{ name: user, user: { ...(parts.token === undefined ? {} : { token: parts.token }), ...parts.user } }],
    contexts: [{ name: context, context: { cluster, user } }],
    'current-context': context,
  };
}

export async function writeYaml(path: string, value: unknown): Promise<string> {
  await writeFile(path, typeof value === 'string' ? value : stringify(value), { mode: 0o600 });
  return path;
}
