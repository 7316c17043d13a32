/**
 * Each context says whether the file it was imported from is still there, so "Re-read from
 * <path>" is offered only where it can work (issue #17): a file that was removed or replaced by a
 * folder is reported missing, pasted text has no file to read again.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClustersService } from '../../../src/main/clusters/clusters-service';
import type { ClusterContext } from '../../../src/shared/contract/clusters';
import { createClustersService, kubeconfig, tempDir } from './cluster-fixtures';
import { startLoggingApiServer, type LoggingApiServer } from './logging-api-server';

let work: string;
let api: LoggingApiServer;
let service: ClustersService;
let dataDir: string;

beforeAll(async () => {
  work = await tempDir('clusters-source-exists');
  api = await startLoggingApiServer(work, 'api');
  ({ service, dataDir } = await createClustersService());
});
afterAll(async () => {
  service?.dispose();
  await api?.stop();
  await rm(work, { recursive: true, force: true });
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const text = (name: string) =>
  stringify(
    kubeconfig({ server: api.server, caPem: api.caPem, token: `token-${name}`, names: { cluster: name, user: name, context: name } }),
  );

async function contextNamed(name: string): Promise<ClusterContext> {
  const context = (await service.list()).contexts.find((item) => item.name === name);
  expect(context).toBeDefined();
  return context!;
}

describe('where a context was imported from', () => {
  it('is there: sourceExists true; removed or replaced by a folder: false; pasted text: no file at all', async () => {
    const kept = join(work, 'kept.yaml');
    const removed = join(work, 'removed.yaml');
    const replaced = join(work, 'replaced.yaml');
    await writeFile(kept, text('kept'));
    await writeFile(removed, text('removed'));
    await writeFile(replaced, text('replaced'));
    const imported = await service.importKubeconfig({ kind: 'files', paths: [kept, removed, replaced] }, []);
    expect(imported.status).toBe('imported');
    expect((await service.importKubeconfig({ kind: 'text', text: text('pasted'), label: 'pasted.yaml' }, [])).status).toBe('imported');

    expect(await contextNamed('removed')).toMatchObject({ source: removed, sourceExists: true });
    await rm(removed);
    await rm(replaced);
    await mkdir(replaced);

    expect(await contextNamed('kept')).toMatchObject({ source: kept, sourceExists: true });
    expect(await contextNamed('removed')).toMatchObject({ source: removed, sourceExists: false });
    expect(await contextNamed('replaced')).toMatchObject({ source: replaced, sourceExists: false });
    const pasted = await contextNamed('pasted');
    expect(pasted.source).toBe('pasted.yaml');
    expect(pasted).not.toHaveProperty('sourceExists');

    // The state events carry it too, and a file put back counts again.
    await writeFile(removed, text('removed'));
    const fired = new Promise<ClusterContext[]>((resolve) => {
      const subscription = service.onDidChange((state) => {
        subscription.dispose();
        resolve(state.contexts);
      });
    });
    await service.setActive('removed');
    expect((await fired).find((item) => item.name === 'removed')).toMatchObject({ sourceExists: true });
  });
});
