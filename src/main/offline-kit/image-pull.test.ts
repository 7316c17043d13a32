/**
 * Image pulls of npm run bundle against a loopback registry STAND-IN laid out as the upstream
 * hosts (the distribution API's manifests and blobs by digest, Docker Hub's anonymous bearer
 * token): never the internet. The pulled archive is read back with the real tar.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imagesOfArchive } from './image-archives';
import { archiveName, pullImage } from './image-pull';
import { tempDir } from '../../../tests/harness/temp-dir';

const run = promisify(execFile);
const digest = (body: Buffer) => `sha256:${createHash('sha256').update(body).digest('hex')}`;
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

const config = json({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } });
const layer = Buffer.from('a layer (stand-in bytes)');
const manifest = json({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest(config), size: config.length },
  layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest(layer), size: layer.length }],
});
const index = json({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: [
    {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: `sha256:${'0'.repeat(64)}`,
      size: 1,
      platform: { os: 'linux', architecture: 'arm64' },
    },
    {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: digest(manifest),
      size: manifest.length,
      platform: { os: 'linux', architecture: 'amd64' },
    },
  ],
});

let work: string;
let server: Server;
let base: string;
const blobs = new Map<string, Buffer>([
  [digest(config), config],
  [digest(layer), layer],
]);
const tokenAsks: string[] = [];

beforeAll(async () => {
  work = await tempDir('image-pull');
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    if (url.pathname === '/auth.docker.io/token') {
      tokenAsks.push(url.search);
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ token: 'anonymous-token' }));
      return;
    }
    const repository = '/registry-1.docker.io/v2/library/nginx/';
    if (!url.pathname.startsWith(repository)) return void response.writeHead(404).end();
    if (request.headers.authorization !== 'Bearer anonymous-token') {
      response.writeHead(401, {
        'www-authenticate':
          'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      });
      response.end();
      return;
    }
    const rest = url.pathname.slice(repository.length);
    if (rest === 'manifests/1.25-alpine') {
      response.setHeader('content-type', 'application/vnd.oci.image.index.v1+json');
      response.end(index);
    } else if (rest === `manifests/${digest(manifest)}`) {
      response.setHeader('content-type', 'application/vnd.oci.image.manifest.v1+json');
      response.end(manifest);
    } else if (rest.startsWith('blobs/') && blobs.has(rest.slice('blobs/'.length))) {
      response.end(blobs.get(rest.slice('blobs/'.length)));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

describe('npm run bundle pulls images into OCI archives (a loopback registry stand-in)', () => {
  it('asks an anonymous token, picks linux/amd64, checks every digest and names the image in the archive', async () => {
    const archive = join(work, archiveName('nginx:1.25-alpine'));
    expect(archive.endsWith('nginx_1.25-alpine.tar')).toBe(true);
    await pullImage('nginx:1.25-alpine', archive, { os: 'linux', base });
    expect(tokenAsks).toEqual(['?service=registry.docker.io&scope=repository%3Alibrary%2Fnginx%3Apull']);
    expect(await imagesOfArchive(archive)).toEqual(['docker.io/library/nginx:1.25-alpine']);
    const { stdout } = await run('tar', ['-tf', archive]);
    expect(
      stdout
        .split('\n')
        .filter((line) => line.startsWith('blobs/sha256/') && !line.endsWith('/'))
        .sort(),
    ).toEqual([digest(manifest), digest(config), digest(layer)].map((d) => `blobs/sha256/${d.slice('sha256:'.length)}`).sort());
    const { stdout: layerBytes } = await run('tar', ['-xOf', archive, `blobs/sha256/${digest(layer).slice('sha256:'.length)}`]);
    expect(layerBytes).toBe(layer.toString());
  });

  it('refuses a blob that does not match its digest, keeping no archive, and names a missing platform', async () => {
    const archive = join(work, 'tampered.tar');
    blobs.set(digest(layer), Buffer.from('other bytes'));
    try {
      await expect(pullImage('docker.io/library/nginx:1.25-alpine', archive, { os: 'linux', base })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(
          new RegExp(`^docker\\.io/library/nginx@${digest(layer)} arrived with digest sha256:[0-9a-f]{64}: it was not kept\\.$`),
        ) as string,
      });
    } finally {
      blobs.set(digest(layer), layer);
    }
    expect(existsSync(archive)).toBe(false);
    expect(existsSync(`${archive}.part`)).toBe(false);
    await expect(pullImage('nginx:1.25-alpine', archive, { os: 'windows', base })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'nginx:1.25-alpine has no windows/amd64 image.',
    });
  });
});
