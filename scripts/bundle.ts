/**
 * `npm run bundle`: builds an offline bundle from folders on this computer, or checks one.
 *
 *   npm run bundle -- --kubernetes 1.20.2 --node-bin DIR --out DIR
 *                     [--images DIR] [--cni-bin DIR] [--cni-config FILE]... [--tool NAME=FILE]...
 *                     [--deb FILE]... [--manifest FILE]...
 *   npm run bundle -- --verify DIR
 *
 * --node-bin holds kubelet, kubeadm and kubectl (packaged as debs/), --images image archives
 * (*.tar), --cni-bin CNI plugins, --tool a program for bin/ (crictl). The bundle gets manifest.json
 * and SHA256SUMS with the SHA-256 of every file; Nestlab checks them before copying it to a host.
 * It never downloads anything.
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildBundle } from '../src/main/offline-kit/bundle-builder';
import { verifyBundle } from '../src/main/offline-kit/bundle-manifest';

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
    out: { type: 'string' },
    verify: { type: 'string' },
    help: { type: 'boolean' },
  },
});

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
  if (values.kubernetes === undefined || values['node-bin'] === undefined || values.out === undefined) {
    throw new Error('--kubernetes, --node-bin and --out are needed (npm run bundle -- --help).');
  }
  const tools = Object.fromEntries(
    (values.tool ?? []).map((entry) => {
      const [name, file] = entry.split('=');
      if (name === undefined || file === undefined || name === '') throw new Error(`--tool ${entry}: write it as NAME=FILE.`);
      return [name, resolve(file)];
    }),
  );
  const manifest = await buildBundle(
    {
      kubernetesVersion: values.kubernetes,
      nodeBinDir: resolve(values['node-bin']),
      ...(values.images === undefined ? {} : { imagesDir: resolve(values.images) }),
      ...(values['cni-bin'] === undefined ? {} : { cniBinDir: resolve(values['cni-bin']) }),
      cniConfigs: Object.fromEntries((values['cni-config'] ?? []).map((file) => [basename(file), readFileSync(file, 'utf8')])),
      tools,
      debs: (values.deb ?? []).map((file) => resolve(file)),
      manifests: (values.manifest ?? []).map((file) => resolve(file)),
    },
    resolve(values.out),
    (line) => console.log(line),
  );
  console.log(`${values.out}: ${Object.keys(manifest.files).length} files, manifest.json and SHA256SUMS written.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
