/**
 * Builds an offline bundle (the layout README "Offline bundle" documents) from folders on this
 * computer, and writes its manifest: the SHA-256 of every file, which Nestlab checks before it
 * copies the bundle to a host. Nothing here downloads anything.
 */
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { AppError } from '../../shared/errors';
import { imagesOfArchives } from './image-archives';
import { writeManifest, type BundleManifest } from './bundle-manifest';
import { buildDeb, NODE_BINARIES, nodePackages } from './node-debs';

/** Where a bundle's parts come from. */
export interface BundleSources {
  /** The Kubernetes version, e.g. "1.20.2" (the packages' version and the manifest's). */
  kubernetesVersion: string;
  /** kubelet, kubeadm and kubectl for the nodes (linux/amd64): packaged as debs/*.deb. */
  nodeBinDir: string;
  /** Image archives (*.tar, docker or OCI archives) for images/. */
  imagesDir?: string;
  /** CNI plugins for cni/bin/ (into /opt/cni/bin on every node). */
  cniBinDir?: string;
  /** CNI network configurations for cni/net.d/, by file name. */
  cniConfigs?: Record<string, string>;
  /** Tools without a package for bin/ (into /usr/local/bin), by name: the file to copy. */
  tools?: Record<string, string>;
  /** Further packages (containerd, runc...) for debs/. */
  debs?: string[];
  /** Manifests (CNI, MetalLB) for manifests/. */
  manifests?: string[];
  /**
   * Windows workers' files for windows/: Install-Containerd.ps1 and PrepareNode.ps1 (both needed),
   * and what makes them install without a download: kubelet.exe, kubeadm.exe and containerd's
   * Windows archive (see README "Offline bundle").
   */
  windowsDir?: string;
  /** Image archives for Windows workers (the catalog's Windows apps) for windows/images/. */
  windowsImagesDir?: string;
  /** k3s labs: the k3s binary and its install script, as k3s and k3s-install.sh. */
  k3s?: { binary: string; installScript: string };
}

/** The Windows node scripts a windows/ folder must hold. */
export const WINDOWS_SCRIPTS = ['Install-Containerd.ps1', 'PrepareNode.ps1'] as const;

/**
 * Builds the bundle into `outDir` (created; it must not exist yet) and returns its manifest.
 * Large files are hard-linked where the source shares the file system, else copied.
 */
export async function buildBundle(
  sources: BundleSources,
  outDir: string,
  log: (line: string) => void = () => undefined,
): Promise<BundleManifest> {
  checkSources(sources, outDir);
  await mkdir(outDir, { recursive: true });
  if ((await readdir(outDir)).length > 0) {
    throw new AppError('ALREADY_EXISTS', `${outDir} is not empty: a bundle is built into a new folder. Choose another or remove it.`, {
      path: outDir,
    });
  }
  const work = await mkdtemp(join(tmpdir(), 'nestlab-debs-'));
  try {
    await mkdir(join(outDir, 'debs'));
    for (const pkg of nodePackages(sources.nodeBinDir, sources.kubernetesVersion)) {
      log(`debs/: ${pkg.name} ${sources.kubernetesVersion}`);
      await buildDeb(pkg, sources.kubernetesVersion, join(outDir, 'debs'), work);
    }
    for (const deb of sources.debs ?? []) await place(deb, join(outDir, 'debs', basename(deb)));
    if (sources.imagesDir !== undefined) {
      const archives = (await readdir(sources.imagesDir)).filter((name) => name.endsWith('.tar')).sort();
      log(`images/: ${archives.length} archives`);
      for (const archive of archives) await place(join(sources.imagesDir, archive), join(outDir, 'images', archive));
    }
    if (sources.cniBinDir !== undefined) {
      for (const plugin of await readdir(sources.cniBinDir))
        await place(join(sources.cniBinDir, plugin), join(outDir, 'cni', 'bin', plugin));
    }
    for (const [name, content] of Object.entries(sources.cniConfigs ?? {})) {
      await mkdir(join(outDir, 'cni', 'net.d'), { recursive: true });
      await writeFile(join(outDir, 'cni', 'net.d', name), content);
    }
    for (const [name, from] of Object.entries(sources.tools ?? {})) await place(from, join(outDir, 'bin', name));
    for (const manifest of sources.manifests ?? []) await place(manifest, join(outDir, 'manifests', basename(manifest)));
    if (sources.windowsDir !== undefined) {
      const files = (await readdir(sources.windowsDir, { withFileTypes: true }))
        .filter((entry) => entry.isFile())
        .map((entry) => entry.name);
      log(`windows/: ${files.sort().join(', ')}`);
      for (const file of files) await place(join(sources.windowsDir, file), join(outDir, 'windows', file));
    }
    if (sources.windowsImagesDir !== undefined) {
      const archives = (await readdir(sources.windowsImagesDir)).filter((name) => name.endsWith('.tar')).sort();
      log(`windows/images/: ${archives.length} archives`);
      for (const archive of archives) await place(join(sources.windowsImagesDir, archive), join(outDir, 'windows', 'images', archive));
    }
    if (sources.k3s !== undefined) {
      await place(sources.k3s.binary, join(outDir, 'k3s'));
      await place(sources.k3s.installScript, join(outDir, 'k3s-install.sh'));
    }
    log('manifest.json: SHA-256 of every file, and the images of each archive');
    return await writeManifest(outDir, sources.kubernetesVersion, await imagesOfArchives(outDir));
  } catch (error) {
    await rm(outDir, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function checkSources(sources: BundleSources, outDir: string): void {
  if (!/^\d+\.\d+\.\d+$/.test(sources.kubernetesVersion)) {
    throw new AppError('INVALID_INPUT', `"${sources.kubernetesVersion}" is not a Kubernetes version like 1.20.2.`);
  }
  const missing = [
    ...NODE_BINARIES.map((name) => join(sources.nodeBinDir, name)),
    ...[sources.imagesDir, sources.cniBinDir, sources.windowsImagesDir].filter((dir): dir is string => dir !== undefined),
    ...(sources.windowsDir === undefined ? [] : WINDOWS_SCRIPTS.map((name) => join(sources.windowsDir!, name))),
    ...(sources.k3s === undefined ? [] : [sources.k3s.binary, sources.k3s.installScript]),
    ...Object.values(sources.tools ?? {}),
    ...(sources.debs ?? []),
    ...(sources.manifests ?? []),
  ].filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new AppError(
      'INVALID_INPUT',
      `The bundle cannot be built for ${outDir}: ${missing.join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist.`,
      {
        missing,
      },
    );
  }
}

/** A hard link where the source and the bundle share a file system (image archives are large), else a copy. */
async function place(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await link(from, to).catch(() => copyFile(from, to));
}
