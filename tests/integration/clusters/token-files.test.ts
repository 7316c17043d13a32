/**
 * Files a kubeconfig names outside its folder (a token file here) are read only after the user
 * allowed them, and only as regular files of at most 1 MB: a pipe that never ends or a huge file
 * gets a clear error at once. A logging HTTPS server on loopback shows what was sent.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClustersService } from '../../../src/main/clusters/clusters-service';
import { caught, createClustersService, kubeconfig, tempDir, writeYaml } from './cluster-fixtures';
import { startLoggingApiServer, type LoggingApiServer } from './logging-api-server';

const run = promisify(execFile);
const CANARY = 'CANARY-token-file-6d02e1';

let work: string;
let api: LoggingApiServer;
let service: ClustersService;
let dataDir: string;

beforeAll(async () => {
  work = await tempDir('clusters-token-files');
  api = await startLoggingApiServer(work, 'api');
  ({ service, dataDir } = await createClustersService());
});
afterAll(async () => {
  service?.dispose();
  await api?.stop();
  await rm(work, { recursive: true, force: true });
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function importWithTokenFile(folder: string, tokenFile: string, context: string) {
  await mkdir(folder, { recursive: true });
  const config = kubeconfig({
    server: api.server,
    caPem: api.caPem,
    names: { cluster: context, user: context, context },
    user: { tokenFile },
  });
  return service.importKubeconfig({ kind: 'files', paths: [await writeYaml(join(folder, 'config'), config)] }, []);
}

describe('token files outside the kubeconfig folder', () => {
  const tokenPath = () => join(work, 'secrets', 'token');

  it('asks before the first connection that reads one, then reads exactly the allowed file', async () => {
    await mkdir(join(work, 'secrets'), { recursive: true });
    await writeFile(tokenPath(), `${CANARY}\n`);
    const result = await importWithTokenFile(join(work, 'kube'), tokenPath(), 'outside');
    expect(result.status).toBe('imported');
    const context = (await service.list()).contexts.find((item) => item.name === 'outside')!;
    expect(context).toMatchObject({ externalFiles: [tokenPath()], externalFilesAllowed: false });

    const asked = await service.testConnection('outside');
    expect(asked.ok === false && asked.error).toMatchObject({ code: 'APPROVAL_REQUIRED', details: { files: [tokenPath()] } });
    expect(asked.ok === false && asked.error.message).toContain(`reads ${tokenPath()} when connecting`);
    await service.refreshAll();
    expect(api.requests).toEqual([]);
    // Allowing other paths than the ones shown does not count.
    expect((await caught(service.allowExternalFiles('outside', ['/etc/passwd']))).code).toBe('CONFLICT');

    await service.allowExternalFiles('outside', [tokenPath()]);
    expect(await service.testConnection('outside')).toMatchObject({ ok: true });
    expect(api.authorizations()).toContain(`Bearer ${CANARY}`);
  });

  it('refuses a pipe in its place at once, instead of waiting for it to end', async () => {
    await rm(tokenPath());
    await run('mkfifo', [tokenPath()]);
    // Reading a pipe would wait for a writer that never comes: the test would end in its timeout.
    const result = await service.testConnection('outside');
    expect(result.ok === false && result.error).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining(`${tokenPath()} is not a regular file (a folder, a device or a pipe)`) as string,
      details: { path: tokenPath() },
    });
  });

  it('refuses a token file over 1 MB without reading it', async () => {
    await rm(tokenPath());
    await writeFile(tokenPath(), '');
    await truncate(tokenPath(), 2 * 1024 * 1024);
    const result = await service.testConnection('outside');
    expect(result.ok === false && result.error.message).toContain(`${tokenPath()} is larger than 1 MB`);
  });

  it('refuses a pipe or a huge file named inside the folder at import, with every problem listed', async () => {
    const folder = join(work, 'inside');
    await mkdir(folder, { recursive: true });
    await run('mkfifo', [join(folder, 'token')]);
    const config = {
      ...kubeconfig({
        server: api.server,
        caPem: api.caPem,
        names: { cluster: 'in', user: 'in', context: 'in' },
        user: { tokenFile: 'token' },
      }),
    };
    const error = await caught(service.importKubeconfig({ kind: 'files', paths: [await writeYaml(join(folder, 'config'), config)] }, []));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain(
      `user "in": tokenFile: ${join(folder, 'token')} is not a regular file (a folder, a device or a pipe); a token file is a regular file of at most 1 MB.`,
    );
  });
});
