import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalImage, imagesOfArchive, imagesOfArchives, missingImages } from './image-archives';
import { tempDir } from '../../../tests/harness/temp-dir';

const run = promisify(execFile);
let work: string;

beforeAll(async () => {
  work = await tempDir('image-archives');
});

/** A tar archive of `files` at `path` (the real tar, as the builder reads it). */
async function archive(path: string, files: Record<string, string>): Promise<void> {
  const dir = await mkdtemp(join(work, 'content-'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  await run('tar', ['-cf', path, '-C', dir, ...Object.keys(files)]);
}

describe('the images of an image archive', () => {
  it('reads a docker archive’s RepoTags and an OCI archive’s image names, and refuses another tar', async () => {
    const root = join(work, 'bundle');
    await mkdir(join(root, 'images'), { recursive: true });
    await mkdir(join(root, 'windows', 'images'), { recursive: true });
    await archive(join(root, 'images', 'vote.tar'), {
      'manifest.json': JSON.stringify([
        { Config: 'c.json', RepoTags: ['mcr.microsoft.com/azuredocs/azure-vote-front:v1'], Layers: [] },
        { Config: 'd.json', RepoTags: ['mcr.microsoft.com/oss/bitnami/redis:6.0.8'], Layers: [] },
      ]),
    });
    await archive(join(root, 'windows', 'images', 'aspnet.tar'), {
      'oci-layout': '{"imageLayoutVersion":"1.0.0"}',
      'index.json': JSON.stringify({
        schemaVersion: 2,
        manifests: [
          { annotations: { 'io.containerd.image.name': 'mcr.microsoft.com/dotnet/framework/samples:aspnetapp' } },
          // skopeo's oci-archive may name only the tag: not an image name.
          { annotations: { 'org.opencontainers.image.ref.name': 'aspnetapp' } },
        ],
      }),
    });
    expect(await imagesOfArchives(root)).toEqual({
      'images/vote.tar': ['mcr.microsoft.com/azuredocs/azure-vote-front:v1', 'mcr.microsoft.com/oss/bitnami/redis:6.0.8'],
      'windows/images/aspnet.tar': ['mcr.microsoft.com/dotnet/framework/samples:aspnetapp'],
    });
    await archive(join(work, 'not-an-image.tar'), { 'readme.txt': 'hello' });
    await expect(imagesOfArchive(join(work, 'not-an-image.tar'))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: `${join(work, 'not-an-image.tar')} is not an image archive (it has neither manifest.json nor index.json).`,
    });
  });

  it('matches Docker Hub short names and missing tags as container runtimes read them', () => {
    expect(canonicalImage('nginx:1.25-alpine')).toBe('docker.io/library/nginx:1.25-alpine');
    expect(canonicalImage('bitnami/redis')).toBe('docker.io/bitnami/redis:latest');
    expect(canonicalImage('localhost:5000/app@sha256:abc')).toBe('localhost:5000/app@sha256:abc');
    expect(
      missingImages(['nginx:1.25-alpine', 'mcr.microsoft.com/azuredocs/azure-vote-front:v1'], {
        'images/nginx.tar': ['docker.io/library/nginx:1.25-alpine'],
      }),
    ).toEqual(['mcr.microsoft.com/azuredocs/azure-vote-front:v1']);
  });
});
