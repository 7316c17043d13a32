/**
 * `npm run bundle`: builds an offline bundle from folders on this computer, or downloads its
 * inputs first (on a connected machine), or checks one.
 *
 *   npm run bundle -- --kubernetes 1.20.2 --node-bin DIR --out DIR
 *                     [--images DIR] [--cni-bin DIR] [--cni-config FILE]... [--tool NAME=FILE]...
 *                     [--deb FILE]... [--manifest FILE]...
 *                     [--windows-dir DIR] [--windows-images DIR] [--k3s-binary FILE --k3s-install FILE]
 *   npm run bundle -- --download --kubernetes 1.20.2 --out DIR [--windows] [--k3s v1.30.8+k3s1]
 *                     [--metallb] [--cni flannel|calico] [--pull-images] [--image REF]... [--cache DIR] [--images DIR] ...
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
 * --cni fetches that network plugin's manifest (flannel, or the Calico operator) of the release
 * Nestlab pins. --pull-images pulls the control plane's images (as the downloaded kubeadm lists
 * them, on Linux x86-64), those the bundle's manifests run (flannel, the Calico operator and what it
 * deploys, MetalLB), the catalog apps' (the Windows ones with --windows) and each --image from
 * their registries (public images, every blob checked against its digest) into OCI archives; images can also be given as folders of archives (ctr images
 * export, docker save, skopeo). The bundle gets manifest.json and SHA256SUMS with the SHA-256
 * of every file, and the images of each archive; Nestlab checks them before copying it to a host.
 */
import { readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { link, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { defaultCatalogDir } from '../src/main/apps/catalog-location';
import { loadCatalog } from '../src/main/apps/catalog';
import { buildBundle, type BundleSources } from '../src/main/offline-kit/bundle-builder';
import { downloadSources } from '../src/main/offline-kit/bundle-download';
import { verifyBundle, type BundleManifest } from '../src/main/offline-kit/bundle-manifest';
import { missingImages } from '../src/main/offline-kit/image-archives';
import { archiveName, pullImage } from '../src/main/offline-kit/image-pull';
import { bundleImages } from '../src/main/offline-kit/manifest-images';

const run = promisify(execFile);

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
    cni: { type: 'string' },
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
 * The control plane's images for the version, as the downloaded kubeadm lists them (it runs on
 * Linux x86-64 only); elsewhere none, and the user is told to add them with --image.
 */
async function controlPlaneImages(nodeBinDir: string, version: string): Promise<string[]> {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.log(
      `The control plane's images are listed by kubeadm, which runs on Linux x86-64 only: add each with --image (kubeadm config images list --kubernetes-version v${version}).`,
    );
    return [];
  }
  const { stdout } = await run(join(nodeBinDir, 'kubeadm'), ['config', 'images', 'list', '--kubernetes-version', `v${version}`]);
  return stdout.split('\n').filter((line) => line.trim() !== '');
}

/**
 * --pull-images: the control plane's images, those the bundle's manifests run (flannel, the
 * Calico operator and what it deploys, MetalLB), the catalog apps' (the Windows ones with
 * --windows) and each --image, pulled into the cache; with --images / --windows-images too, both
 * folders' archives are joined (hard links) into one.
 */
async function pulledImages(cache: string, base: string | undefined, sources: BundleSources) {
  const { catalog } = await loadCatalog(defaultCatalogDir(import.meta.url));
  const ofOs = (os: 'linux' | 'windows') => catalog.apps.filter((app) => app.os === os).flatMap((app) => app.images);
  const wanted = bundleImages({
    catalog: { linux: ofOs('linux'), windows: ofOs('windows') },
    manifests: await Promise.all(
      (sources.manifests ?? []).map(async (file) => ({ name: basename(file), text: await readFile(file, 'utf8') })),
    ),
    controlPlane: await controlPlaneImages(sources.nodeBinDir, sources.kubernetesVersion),
    extra: values.image ?? [],
    windows: values.windows === true,
  });
  const folders: Pick<BundleSources, 'imagesDir' | 'windowsImagesDir'> = {};
  for (const os of ['linux', 'windows'] as const) {
    if (wanted[os].length === 0) continue;
    const pulled = join(cache, os === 'linux' ? 'images' : 'windows-images');
    await mkdir(pulled, { recursive: true });
    for (const image of wanted[os]) {
      console.log(`${os} image ${image}: pulling (every blob checked against its digest)`);
      await pullImage(image, join(pulled, archiveName(image)), { os, ...(base === undefined ? {} : { base }) });
    }
    const other = os === 'linux' ? sources.imagesDir : sources.windowsImagesDir;
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

/** --cni: flannel or calico, or none. */
function cniOption(): 'flannel' | 'calico' | undefined {
  const cni = values.cni;
  if (cni === undefined || cni === 'flannel' || cni === 'calico') return cni;
  throw new Error(`--cni ${cni}: write flannel or calico (the network plugins whose manifest the bundle can carry).`);
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
        ...(cniOption() === undefined ? {} : { cni: cniOption() }),
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
    };
    if (values['pull-images'] === true) sources = { ...sources, ...(await pulledImages(cacheDir, values['download-from'], sources)) };
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
