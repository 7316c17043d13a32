/**
 * `npm run bundle`: builds an offline bundle from folders on this computer, or downloads its
 * inputs first (on a connected machine), or checks one.
 *
 *   npm run bundle -- --kubernetes 1.20.2 --node-bin DIR --out DIR
 *                     [--images DIR] [--cni-bin DIR] [--cni-config FILE]... [--tool NAME=FILE]...
 *                     [--deb FILE]... [--manifest FILE]...
 *                     [--windows-dir DIR] [--windows-images DIR] [--k3s-binary FILE --k3s-install FILE]
 *   npm run bundle -- --download --kubernetes 1.20.2 --out DIR [--windows] [--k3s v1.30.8+k3s1]
 *                     [--metallb] [--pull-images] [--image REF]... [--cache DIR] [--images DIR] ...
 *   npm run bundle -- --verify DIR
 *
 * --node-bin holds kubelet, kubeadm and kubectl (packaged as debs/), --images image archives
 * (*.tar) for Linux nodes and --windows-images for Windows workers, --cni-bin CNI plugins, --tool
 * a program for bin/ (crictl), --windows-dir the Windows workers' files (Install-Containerd.ps1,
 * PrepareNode.ps1, kubelet.exe, kubeadm.exe, containerd's Windows archive).
 * --download fetches kubelet, kubeadm, kubectl, crictl and the CNI plugins (with --windows the
 * Windows files, with --k3s that release, with --metallb its manifest) from their release
 * locations, each checked against its published checksum, into --cache (default
 * ~/.cache/nestlab/bundle-downloads), and builds from there; folders given too are added.
 * --pull-images pulls the catalog apps' images (the Windows ones with --windows), MetalLB's
 * (--metallb) and each --image from their registries (public images, every blob checked against
 * its digest) into OCI archives; images can also be given as folders of archives (ctr images
 * export, docker save, skopeo). The bundle gets manifest.json and SHA256SUMS with the SHA-256
 * of every file, and the images of each archive; Nestlab checks them before copying it to a host.
 */
import { readFileSync } from 'node:fs';
import { link, mkdir, readdir, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultCatalogDir } from '../src/main/apps/catalog-location';
import { loadCatalog } from '../src/main/apps/catalog';
import { buildBundle, type BundleSources } from '../src/main/offline-kit/bundle-builder';
import { downloadSources } from '../src/main/offline-kit/bundle-download';
import { verifyBundle, type BundleManifest } from '../src/main/offline-kit/bundle-manifest';
import { missingImages } from '../src/main/offline-kit/image-archives';
import { archiveName, pullImage } from '../src/main/offline-kit/image-pull';
import { METALLB_IMAGES } from '../src/main/labs/metallb';

const { values } = parseArgs({
  options: {
    kubernetes: { type: 'string' },
    'node-bin': { type: 'string' },
    images: { type: 'string' },
    'cni-bin': { type: 'string' },
    'cni-config': { type: 'string', multiple: true },
    tool: { type: 'string', multiple: true },
    deb: { type: 'string', multiple: true },
    manifest: { type: 'string', multiple: true },
    'windows-dir': { type: 'string' },
    'windows-images': { type: 'string' },
    'k3s-binary': { type: 'string' },
    'k3s-install': { type: 'string' },
    download: { type: 'boolean' },
    'download-from': { type: 'string' },
    cache: { type: 'string' },
    windows: { type: 'boolean' },
    k3s: { type: 'string' },
    metallb: { type: 'boolean' },
    'pull-images': { type: 'boolean' },
    image: { type: 'string', multiple: true },
    out: { type: 'string' },
    verify: { type: 'string' },
    help: { type: 'boolean' },
  },
});

/** What the flags give beside the node binaries (folders and files on this computer). */
function localSources(): Omit<BundleSources, 'kubernetesVersion' | 'nodeBinDir'> {
  const tools = Object.fromEntries(
    (values.tool ?? []).map((entry) => {
      const [name, file] = entry.split('=');
      if (name === undefined || file === undefined || name === '') throw new Error(`--tool ${entry}: write it as NAME=FILE.`);
      return [name, resolve(file)];
    }),
  );
  if ((values['k3s-binary'] === undefined) !== (values['k3s-install'] === undefined)) {
    throw new Error('--k3s-binary and --k3s-install go together (the k3s binary and its install script).');
  }
  return {
    ...(values.images === undefined ? {} : { imagesDir: resolve(values.images) }),
    ...(values['cni-bin'] === undefined ? {} : { cniBinDir: resolve(values['cni-bin']) }),
    cniConfigs: Object.fromEntries((values['cni-config'] ?? []).map((file) => [basename(file), readFileSync(file, 'utf8')])),
    tools,
    debs: (values.deb ?? []).map((file) => resolve(file)),
    manifests: (values.manifest ?? []).map((file) => resolve(file)),
    ...(values['windows-dir'] === undefined ? {} : { windowsDir: resolve(values['windows-dir']) }),
    ...(values['windows-images'] === undefined ? {} : { windowsImagesDir: resolve(values['windows-images']) }),
    ...(values['k3s-binary'] === undefined || values['k3s-install'] === undefined
      ? {}
      : { k3s: { binary: resolve(values['k3s-binary']), installScript: resolve(values['k3s-install']) } }),
  };
}

/** Says which catalog apps' images the bundle lacks (those apps then pull from a registry or the mirror). */
async function reportCatalogImages(manifest: BundleManifest): Promise<void> {
  const { catalog } = await loadCatalog(defaultCatalogDir(import.meta.url));
  const held = manifest.images ?? {};
  for (const os of ['linux', 'windows'] as const) {
    const folder = os === 'linux' ? 'images/' : 'windows/images/';
    const ofOs = Object.fromEntries(Object.entries(held).filter(([file]) => file.startsWith(folder)));
    const missing = missingImages(
      catalog.apps.filter((app) => app.os === os).flatMap((app) => app.images),
      ofOs,
    );
    if (missing.length > 0)
      console.log(`${folder}: the catalog's ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not in the bundle.`);
  }
}

/**
 * --pull-images: the catalog apps' images (Windows ones with --windows), MetalLB's with --metallb
 * and each --image, pulled into the cache; with --images / --windows-images too, both folders'
 * archives are joined (hard links) into one.
 */
async function pulledImages(cache: string, base: string | undefined, given: Pick<BundleSources, 'imagesDir' | 'windowsImagesDir'>) {
  const { catalog } = await loadCatalog(defaultCatalogDir(import.meta.url));
  const wanted: Record<'linux' | 'windows', string[]> = {
    linux: [
      ...catalog.apps.filter((app) => app.os === 'linux').flatMap((app) => app.images),
      ...(values.metallb === true ? METALLB_IMAGES : []),
      ...(values.image ?? []),
    ],
    windows: values.windows === true ? catalog.apps.filter((app) => app.os === 'windows').flatMap((app) => app.images) : [],
  };
  const folders: Pick<BundleSources, 'imagesDir' | 'windowsImagesDir'> = {};
  for (const os of ['linux', 'windows'] as const) {
    if (wanted[os].length === 0) continue;
    const pulled = join(cache, os === 'linux' ? 'images' : 'windows-images');
    await mkdir(pulled, { recursive: true });
    for (const image of [...new Set(wanted[os])]) {
      console.log(`${os} image ${image}: pulling (every blob checked against its digest)`);
      await pullImage(image, join(pulled, archiveName(image)), { os, ...(base === undefined ? {} : { base }) });
    }
    const other = os === 'linux' ? given.imagesDir : given.windowsImagesDir;
    let folder = pulled;
    if (other !== undefined) {
      folder = join(cache, `${os}-images-joined`);
      await rm(folder, { recursive: true, force: true });
      await mkdir(folder);
      for (const dir of [pulled, other]) {
        for (const name of (await readdir(dir)).filter((entry) => entry.endsWith('.tar'))) await link(join(dir, name), join(folder, name));
      }
    }
    if (os === 'linux') folders.imagesDir = folder;
    else folders.windowsImagesDir = folder;
  }
  return folders;
}

async function main(): Promise<void> {
  if (values.help === true) {
    console.log(readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0]);
    return;
  }
  if (values.verify !== undefined) {
    const { manifest, files } = await verifyBundle(resolve(values.verify));
    console.log(`${values.verify}: ${files.length} files match the manifest (Kubernetes ${manifest.kubernetesVersion}).`);
    return;
  }
  if (values.kubernetes === undefined || values.out === undefined || (values.download !== true && values['node-bin'] === undefined)) {
    throw new Error('--kubernetes, --out and --node-bin (or --download) are needed (npm run bundle -- --help).');
  }
  const local = localSources();
  let sources: BundleSources;
  if (values.download === true) {
    const downloaded = await downloadSources(
      {
        kubernetesVersion: values.kubernetes,
        ...(values.windows === true ? { windows: true } : {}),
        ...(values.k3s === undefined ? {} : { k3s: values.k3s }),
        ...(values.metallb === true ? { metallb: true } : {}),
      },
      {
        cacheDir: resolve(values.cache ?? join(homedir(), '.cache', 'nestlab', 'bundle-downloads')),
        ...(values['download-from'] === undefined ? {} : { base: values['download-from'] }),
        log: (line) => console.log(line),
      },
    );
    const cacheDir = resolve(values.cache ?? join(homedir(), '.cache', 'nestlab', 'bundle-downloads'));
    sources = {
      ...downloaded,
      ...local,
      tools: { ...downloaded.tools, ...local.tools },
      manifests: [...(downloaded.manifests ?? []), ...(local.manifests ?? [])],
      ...(values['pull-images'] === true ? await pulledImages(cacheDir, values['download-from'], local) : {}),
    };
  } else {
    sources = { kubernetesVersion: values.kubernetes, nodeBinDir: resolve(values['node-bin'] ?? ''), ...local };
  }
  const manifest = await buildBundle(sources, resolve(values.out), (line) => console.log(line));
  await reportCatalogImages(manifest);
  console.log(`${values.out}: ${Object.keys(manifest.files).length} files, manifest.json and SHA256SUMS written.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
