/**
 * Which images an image archive holds, read from the archive itself: a docker archive's
 * manifest.json (RepoTags, what `docker save` and `ctr images export` write) or an OCI archive's
 * index.json (the image name annotations containerd and skopeo write). The bundle's manifest
 * lists them, so the builder can say which catalog images a bundle lacks.
 */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../../shared/errors';
import { imageParts } from '../labs/registry-mirror';

const run = promisify(execFile);

/** The image archive folders of a bundle. */
const IMAGE_FOLDERS = ['images', 'windows/images'] as const;

interface DockerArchiveEntry {
  RepoTags?: string[] | null;
}
interface OciIndex {
  manifests?: { annotations?: Record<string, string> }[];
}

/** The member of a tar archive, or undefined when it has none by that name. */
async function member(archive: string, name: string): Promise<string | undefined> {
  try {
    return (await run('tar', ['-xOf', archive, name], { maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch {
    return undefined;
  }
}

/** The image references of one archive, sorted. */
export async function imagesOfArchive(archive: string): Promise<string[]> {
  const docker = await member(archive, 'manifest.json');
  const names = new Set<string>();
  if (docker !== undefined) {
    for (const entry of JSON.parse(docker) as DockerArchiveEntry[]) for (const tag of entry.RepoTags ?? []) names.add(tag);
  }
  const oci = await member(archive, 'index.json');
  if (oci !== undefined) {
    for (const entry of (JSON.parse(oci) as OciIndex).manifests ?? []) {
      const name = entry.annotations?.['io.containerd.image.name'] ?? entry.annotations?.['org.opencontainers.image.ref.name'];
      // An OCI ref.name may be only a tag ("v1"); a full name has a repository.
      if (name !== undefined && /[/:]/.test(name)) names.add(name);
    }
  }
  if (docker === undefined && oci === undefined) {
    throw new AppError('INVALID_INPUT', `${archive} is not an image archive (it has neither manifest.json nor index.json).`, {
      path: archive,
      fix: 'Export images with ctr images export, docker save or skopeo copy docker-archive:/oci-archive:.',
    });
  }
  return [...names].sort();
}

/** The images of every archive in the bundle's image folders, by the archive's path in the bundle. */
export async function imagesOfArchives(root: string): Promise<Record<string, string[]>> {
  const images: Record<string, string[]> = {};
  for (const folder of IMAGE_FOLDERS) {
    const names = await readdir(join(root, ...folder.split('/'))).catch(() => [] as string[]);
    for (const name of names.filter((entry) => entry.endsWith('.tar')).sort()) {
      images[`${folder}/${name}`] = await imagesOfArchive(join(root, ...folder.split('/'), name));
    }
  }
  return images;
}

/**
 * Canonical form of an image reference (docker.io/library/ for Docker Hub's short names, :latest
 * when no tag or digest), so "nginx:1.25-alpine" and "docker.io/library/nginx:1.25-alpine" match.
 */
export function canonicalImage(reference: string): string {
  const { registry, repository } = imageParts(reference);
  const name = repository.slice(repository.lastIndexOf('/') + 1);
  return `${registry}/${repository}${name.includes(':') || name.includes('@') ? '' : ':latest'}`;
}

/** The images of `wanted` that no archive of the manifest holds. */
export function missingImages(wanted: readonly string[], held: Record<string, string[]>): string[] {
  const have = new Set(Object.values(held).flat().map(canonicalImage));
  return wanted.filter((image) => !have.has(canonicalImage(image)));
}
