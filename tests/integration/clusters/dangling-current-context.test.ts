/**
 * A kubeconfig whose current-context names a context it no longer has (left over after the
 * context was deleted) still imports its contexts: the leftover is a warning, not a refusal
 * (with other problems it is listed among them: bad-input.test.ts).
 */
import { rm } from 'node:fs/promises';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClustersService } from '../../../src/main/clusters/clusters-service';
import { createClustersService, kubeconfig } from './cluster-fixtures';

let service: ClustersService;
let dataDir: string;

beforeAll(async () => {
  ({ service, dataDir } = await createClustersService());
});
afterAll(async () => {
  service?.dispose();
  await rm(dataDir, { recursive: true, force: true });
});

describe('a current-context that names no context', () => {
  it('imports the contexts of an otherwise good file and warns about the leftover current-context', async () => {
    const config = { ...kubeconfig({ server: 'https://127.0.0.1:1', token: 't' }), 'current-context': 'deleted-context' };
    const result = await service.importKubeconfig({ kind: 'text', text: stringify(config), label: 'leftover.yaml' }, []);
    expect(result).toMatchObject({
      status: 'imported',
      imported: ['lab-admin@lab'],
      notices: [
        'leftover.yaml: current-context "deleted-context" names no context (the contexts are "lab-admin@lab"). The contexts were imported; kubectl fails with this file until its current-context names one of them or is removed.',
      ],
    });
    expect((await service.list()).contexts.map((context) => context.name)).toEqual(['lab-admin@lab']);
  });
});
