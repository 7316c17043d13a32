/**
 * The apps domain through the contract: the real composition root (createServices) behind the
 * in-memory transport (every message through JSON). No cluster: argument checks, the catalog,
 * and an unknown context's NOT_FOUND keep their shape across the boundary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type AppServices } from '../../../src/main/services';
import { AppError } from '../../../src/shared/errors';
import type { Api } from '../../../src/shared/rpc/client';
import { Dispatcher } from '../../../src/shared/rpc/dispatcher';
import { connectInMemory } from '../../../src/shared/rpc/in-memory';
import { tempDir } from '../../harness/temp-dir';

let dataDir: string;
let services: AppServices;
let api: Api;
let close: () => void;

async function caught(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

beforeAll(async () => {
  dataDir = await tempDir('apps-contract');
  services = await createServices({ mode: 'browser', appVersion: '0.0.0-test', dataDir });
  ({ api, close } = connectInMemory(new Dispatcher(services)));
});

afterAll(async () => {
  close?.();
  await services?.dispose();
});

describe('apps through the contract', () => {
  it('serves the shipped catalog from the default resources/catalog', async () => {
    const catalog = await api.apps.catalog();
    expect(catalog.problems).toEqual([]);
    expect(catalog.apps.map((app) => app.id)).toEqual(['aspnet-sample', 'azure-vote', 'nginx']);
  });

  it('refuses malformed arguments before the service sees them', async () => {
    expect((await caught(api.apps.scale('lab', 'ns', 'web', 'web', -1))).code).toBe('INVALID_ARGUMENT');
    expect((await caught(api.apps.scale('lab', 'ns', 'web', 'web', 2.5))).code).toBe('INVALID_ARGUMENT');
    expect((await caught(api.apps.install({ context: 'lab', namespace: 'Not_A_Namespace', appId: 'nginx', instance: 'web' }))).code).toBe(
      'INVALID_ARGUMENT',
    );
    const extra = { context: 'lab', namespace: 'ns', yaml: 'x', force: true, sneaky: 1 } as unknown as Parameters<
      Api['apps']['applyYaml']
    >[0];
    expect((await caught(api.apps.applyYaml(extra))).code).toBe('INVALID_ARGUMENT');
  });

  it('answers NOT_FOUND for an unknown app or context, as an AppError on the far side', async () => {
    const unknownApp = await caught(api.apps.preflight({ context: 'lab', namespace: 'ns', appId: 'no-such-app', instance: 'x' }));
    expect(unknownApp.code).toBe('NOT_FOUND');
    expect(unknownApp.details).toMatchObject({ appId: 'no-such-app' });
    expect((await caught(api.apps.list('no-such-context'))).code).toBe('NOT_FOUND');
  });

  it('reports invalid YAML as a value before needing a cluster', async () => {
    const result = await api.apps.dryRunYaml({ context: 'no-such-context', namespace: 'ns', yaml: 'a: [\n' });
    expect(result.status).toBe('invalid');
  });
});
