/**
 * `npm run bundle -- --download --pull-images`: pulls images from their registries (the
 * distribution API, anonymous bearer tokens as Docker Hub, quay.io, ghcr.io and mcr.microsoft.com
 * hand out) into OCI image archives that `ctr images import` reads, for the bundle's images/ and
 * windows/images/. Every manifest and blob is checked against its digest before it is kept.
 * Only npm run bundle pulls; the app never does.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../../shared/errors';
import { imageParts } from '../labs/registry-mirror';

const run = promisify(execFile);

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
const MANIFEST_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'];

/** Where Docker Hub's registry API is (docker.io is its name in image references). */
const REGISTRY_HOST: Readonly<Record<string, string>> = { 'docker.io': 'registry-1.docker.io' };

export interface PullOptions {
  /** linux or windows (amd64): the platform picked from a multi-platform image. */
  os: 'linux' | 'windows';
  /** As bundle-download's base: <base>/<host>/<path> instead of https://<host>/<path> (tests). */
  base?: string;
  fetch?: typeof fetch;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string };
}

/** A reference's registry, repository and tag or digest. */
function parseReference(reference: string): { registry: string; repository: string; tag: string } {
  const { registry, repository: rest } = imageParts(reference);
  const at = rest.indexOf('@');
  if (at !== -1) return { registry, repository: rest.slice(0, at), tag: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(':');
  return colon > rest.lastIndexOf('/')
    ? { registry, repository: rest.slice(0, colon), tag: rest.slice(colon + 1) }
    : { registry, repository: rest, tag: 'latest' };
}

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

class RegistryClient {
  private token: string | undefined;

  constructor(
    private readonly registry: string,
    private readonly repository: string,
    private readonly options: PullOptions,
  ) {}

  private url(path: string): string {
    const host = REGISTRY_HOST[this.registry] ?? this.registry;
    return this.options.base === undefined ? `https://${host}${path}` : `${this.options.base.replace(/\/+$/, '')}/${host}${path}`;
  }

  /** GET with the anonymous bearer token the registry asks for (asked once per repository). */
  async get(path: string, accept?: string[]): Promise<{ body: Buffer; type: string }> {
    const fetcher = this.options.fetch ?? fetch;
    const ask = () =>
      fetcher(this.url(path), {
        headers: {
          ...(accept === undefined ? {} : { Accept: accept.join(', ') }),
          ...(this.token === undefined ? {} : { Authorization: `Bearer ${this.token}` }),
        },
      });
    let response = await ask().catch((error: unknown) => {
      throw new AppError('UNREACHABLE', `${this.url(path)} could not be reached: ${(error as Error).message}.`, { url: this.url(path) });
    });
    if (response.status === 401 && this.token === undefined) {
      this.token = await this.anonymousToken(response.headers.get('www-authenticate') ?? '');
      response = await ask();
    }
    if (!response.ok) {
      throw new AppError('UNREACHABLE', `${this.url(path)} answered HTTP ${response.status}.`, {
        url: this.url(path),
        fix: 'Check the image name and tag, and that this machine reaches the registry.',
      });
    }
    return { body: Buffer.from(await response.arrayBuffer()), type: (response.headers.get('content-type') ?? '').split(';')[0]!.trim() };
  }

  private async anonymousToken(challenge: string): Promise<string> {
    const fields = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1]!, match[2]!]));
    if (!/^Bearer /i.test(challenge) || fields.realm === undefined) {
      throw new AppError(
        'UNAUTHORIZED',
        `${this.registry} asks for credentials (${challenge || 'no challenge'}); npm run bundle pulls public images only.`,
        {
          fix: 'Export the image on a machine that is logged in (ctr images export, docker save) and give it with --images.',
        },
      );
    }
    const realm = new URL(fields.realm);
    if (fields.service !== undefined) realm.searchParams.set('service', fields.service);
    realm.searchParams.set('scope', fields.scope ?? `repository:${this.repository}:pull`);
    const asked =
      this.options.base === undefined
        ? realm.toString()
        : `${this.options.base.replace(/\/+$/, '')}/${realm.host}${realm.pathname}${realm.search}`;
    const response = await (this.options.fetch ?? fetch)(asked);
    if (!response.ok)
      throw new AppError('UNAUTHORIZED', `${realm.origin}${realm.pathname} refused an anonymous token (HTTP ${response.status}).`);
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (token === undefined) throw new AppError('UNAUTHORIZED', `${realm.origin}${realm.pathname} answered without a token.`);
    return token;
  }

  /** A blob or manifest by digest, checked against it. */
  async byDigest(kind: 'manifests' | 'blobs', digest: string, accept?: string[]): Promise<{ body: Buffer; type: string }> {
    const got = await this.get(`/v2/${this.repository}/${kind}/${digest}`, accept);
    const actual = sha256(got.body);
    if (actual !== digest) {
      throw new AppError('INVALID_INPUT', `${this.registry}/${this.repository}@${digest} arrived with digest ${actual}: it was not kept.`, {
        digest,
        actual,
      });
    }
    return got;
  }
}

/**
 * Pulls `reference` (the platform of `options.os`/amd64 of a multi-platform image) into an OCI
 * archive at `archive`, named in its index as `reference` (what ctr import tags it as).
 */
export async function pullImage(reference: string, archive: string, options: PullOptions): Promise<void> {
  const { registry, repository, tag } = parseReference(reference);
  const client = new RegistryClient(registry, repository, options);
  let top = await client.get(`/v2/${repository}/manifests/${tag}`, [...INDEX_TYPES, ...MANIFEST_TYPES]);
  if (tag.startsWith('sha256:') && sha256(top.body) !== tag) {
    throw new AppError('INVALID_INPUT', `${reference} arrived with digest ${sha256(top.body)}: it was not kept.`);
  }
  if (INDEX_TYPES.includes(top.type)) {
    const index = JSON.parse(top.body.toString('utf8')) as { manifests: Descriptor[] };
    const chosen = index.manifests.find((entry) => entry.platform?.os === options.os && entry.platform.architecture === 'amd64');
    if (chosen === undefined) {
      throw new AppError('NOT_FOUND', `${reference} has no ${options.os}/amd64 image.`, {
        platforms: index.manifests.map((entry) => `${entry.platform?.os ?? '?'}/${entry.platform?.architecture ?? '?'}`),
      });
    }
    top = await client.byDigest('manifests', chosen.digest, MANIFEST_TYPES);
  }
  const manifest = JSON.parse(top.body.toString('utf8')) as { config: Descriptor; layers: Descriptor[] };
  const work = await mkdtemp(join(tmpdir(), 'nestlab-pull-'));
  try {
    await mkdir(join(work, 'blobs', 'sha256'), { recursive: true });
    const keep = async (digest: string, body: Buffer) => writeFile(join(work, 'blobs', 'sha256', digest.slice('sha256:'.length)), body);
    const manifestDigest = sha256(top.body);
    await keep(manifestDigest, top.body);
    for (const blob of [manifest.config, ...manifest.layers]) await keep(blob.digest, (await client.byDigest('blobs', blob.digest)).body);
    await writeFile(join(work, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    const full = `${registry}/${repository}${tag.startsWith('sha256:') ? `@${tag}` : `:${tag}`}`;
    const index = {
      schemaVersion: 2,
      mediaType: INDEX_TYPES[0],
      manifests: [
        {
          mediaType: top.type || MANIFEST_TYPES[0],
          digest: manifestDigest,
          size: top.body.length,
          annotations: { 'io.containerd.image.name': full, 'org.opencontainers.image.ref.name': tag },
        },
      ],
    };
    await writeFile(join(work, 'index.json'), JSON.stringify(index));
    await run('tar', ['-cf', `${archive}.part`, '-C', work, 'oci-layout', 'index.json', 'blobs']);
    await rename(`${archive}.part`, archive);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The archive file name of an image: its reference with what file names cannot hold replaced. */
export function archiveName(reference: string): string {
  return `${reference.replace(/[/:@]/g, '_')}.tar`;
}
