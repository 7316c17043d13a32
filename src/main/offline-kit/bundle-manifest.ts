import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { AppError } from '../../shared/errors';

/** The manifest file at a bundle's root; it lists every other file. */
export const MANIFEST_NAME = 'manifest.json';
/** The same checksums in `sha256sum -c` form, so a host can check its copy with coreutils. */
export const SHA256SUMS_NAME = 'SHA256SUMS';

/** manifest.json of an offline bundle (`npm run bundle` writes it). */
export interface BundleManifest {
  format: 1;
  /** The Kubernetes version the bundle installs, e.g. "1.20.2". */
  kubernetesVersion: string;
  /** Every file but the manifest and SHA256SUMS, by its path inside the bundle ('/' separators). */
  files: Record<string, { size: number; sha256: string }>;
  /** The images each image archive holds (images/*.tar, windows/images/*.tar), by its path. */
  images?: Record<string, string[]>;
}

/** A bundle file with what the manifest (or, without one, the disk) says about it. */
export interface VerifiedFile {
  relative: string;
  path: string;
  size: number;
  sha256: string;
}

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every regular file under `root`, as '/'-separated paths, sorted. */
export async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** Writes manifest.json and SHA256SUMS for every file now in `root`. */
export async function writeManifest(root: string, kubernetesVersion: string, images?: Record<string, string[]>): Promise<BundleManifest> {
  const manifest: BundleManifest = { format: 1, kubernetesVersion, files: {}, ...(images === undefined ? {} : { images }) };
  for (const name of await filesUnder(root)) {
    if (name === MANIFEST_NAME || name === SHA256SUMS_NAME) continue;
    const path = join(root, ...name.split('/'));
    manifest.files[name] = { size: (await stat(path)).size, sha256: await sha256Of(path) };
  }
  await writeFile(join(root, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
  const sums = Object.entries(manifest.files).map(([name, file]) => `${file.sha256}  ${name}\n`);
  await writeFile(join(root, SHA256SUMS_NAME), sums.join(''));
  return manifest;
}

export async function readManifest(root: string): Promise<BundleManifest | undefined> {
  let text: string;
  try {
    text = await readFile(join(root, MANIFEST_NAME), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AppError('FILE_IO', `The offline bundle's ${MANIFEST_NAME} cannot be read: ${(error as Error).message}.`, { path: root });
  }
  const parsed = JSON.parse(text) as Partial<BundleManifest>;
  if (parsed.format !== 1 || typeof parsed.files !== 'object' || parsed.files === null || typeof parsed.kubernetesVersion !== 'string') {
    throw new AppError('INVALID_INPUT', `${join(root, MANIFEST_NAME)} is not an offline bundle manifest Nestlab knows (format 1).`, {
      path: root,
    });
  }
  return parsed as BundleManifest;
}

/**
 * Checks every file of the bundle against its manifest before anything is copied to a host: a file
 * whose size or SHA-256 differs, a listed file that is missing and a file the manifest does not
 * list are each refused, naming the file. `onFile` reports each file as it is checked.
 */
export async function verifyBundle(
  root: string,
  onFile: (index: number, count: number, relative: string) => void = () => undefined,
): Promise<{ manifest: BundleManifest; files: VerifiedFile[] }> {
  const manifest = await readManifest(root);
  if (manifest === undefined) {
    throw new AppError('INVALID_INPUT', `The offline bundle ${root} has no ${MANIFEST_NAME}; build it with npm run bundle.`, {
      path: root,
    });
  }
  const onDisk = (await filesUnder(root)).filter((name) => name !== MANIFEST_NAME && name !== SHA256SUMS_NAME);
  const unlisted = onDisk.filter((name) => !Object.hasOwn(manifest.files, name));
  if (unlisted.length > 0) {
    throw refused(root, unlisted[0]!, 'is not in the manifest (a file was added to the bundle after it was built)');
  }
  const files: VerifiedFile[] = [];
  const names = Object.keys(manifest.files).sort();
  for (const [index, name] of names.entries()) {
    if (name.split('/').some((part) => part === '..' || part === '' || part === '.'))
      throw refused(root, name, 'is not a path inside the bundle');
    const expected = manifest.files[name]!;
    const path = join(root, ...name.split('/'));
    onFile(index, names.length, name);
    const size = await stat(path).then(
      (info) => info.size,
      () => undefined,
    );
    if (size === undefined) throw refused(root, name, 'is missing');
    if (size !== expected.size) throw refused(root, name, `has ${size} bytes where the manifest says ${expected.size}`);
    const sha256 = await sha256Of(path);
    if (sha256 !== expected.sha256) throw refused(root, name, `has SHA-256 ${sha256} where the manifest says ${expected.sha256}`);
    files.push({ relative: name, path, size, sha256 });
  }
  return { manifest, files };
}

function refused(root: string, name: string, what: string): AppError {
  return new AppError(
    'INVALID_INPUT',
    `The offline bundle file ${name} ${what}: the bundle was changed or damaged since it was built, so Nestlab does not copy it to a host. Build the bundle again (npm run bundle) or copy it again from where it was built.`,
    { path: join(root, ...name.split('/')), file: name },
  );
}
