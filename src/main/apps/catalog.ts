/**
 * The app catalog: resources/catalog/<id>/{app.yaml, manifests.yaml}. Every app is validated at
 * load (metadata shape, manifests parse, Deployments and images named in the metadata match the
 * manifests, every pod pinned to the app's OS, the Open target is a Service port); an app with a
 * problem is left out and named, never half-loaded.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import type { Catalog, CatalogApp } from '../../shared/contract/apps';
import { WINDOWS_TAINT } from '../labs/kubeadm-config';
import { imagesOf, nodeOsOf, tolerationsOf } from './manifest';
import { parseKubeDocuments, type KubeObject } from './yaml-documents';

const deploymentSchema = z
  .strictObject({
    name: z.string().min(1),
    defaultReplicas: z.number().int().min(0),
    minReplicas: z.number().int().min(0),
    maxReplicas: z.number().int().min(1).max(100),
  })
  .refine((d) => d.minReplicas <= d.defaultReplicas && d.defaultReplicas <= d.maxReplicas, {
    message: 'minReplicas <= defaultReplicas <= maxReplicas must hold',
  });

const metadataSchema = z.strictObject({
  title: z.string().min(1),
  description: z.string().min(1),
  os: z.enum(['linux', 'windows']),
  images: z.array(z.string().min(1)).min(1),
  ports: z.array(z.number().int().min(1).max(65535)),
  deployments: z.array(deploymentSchema).min(1),
  open: z
    .strictObject({
      service: z.string().min(1),
      port: z.number().int().min(1).max(65535),
      scheme: z.enum(['http', 'https']),
      path: z.string().startsWith('/'),
    })
    .optional(),
});

/** An app and the objects it applies. */
export interface LoadedApp {
  app: CatalogApp;
  objects: KubeObject[];
}

export type AppValidation = { ok: true; loaded: LoadedApp } | { ok: false; message: string };

/** Checks one app's files. Pure: the texts in, the app or the first problems out. */
export function validateCatalogApp(id: string, metadataText: string, manifestsText: string): AppValidation {
  let raw: unknown;
  try {
    raw = parse(metadataText);
  } catch (error) {
    return { ok: false, message: `app.yaml is not valid YAML: ${error instanceof Error ? error.message : String(error)}` };
  }
  const metadata = metadataSchema.safeParse(raw);
  if (!metadata.success) {
    return {
      ok: false,
      message: `app.yaml: ${metadata.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`,
    };
  }
  const parsed = parseKubeDocuments(manifestsText);
  if (!parsed.ok) {
    return {
      ok: false,
      message: `manifests.yaml: ${parsed.problems.map((p) => `line ${p.line}, column ${p.column}: ${p.message}`).join('; ')}`,
    };
  }
  const meta = metadata.data;
  const problems: string[] = [];
  const objects = parsed.objects;
  if (objects.length === 0) problems.push('manifests.yaml has no objects');
  for (const object of objects) {
    if (object.metadata.namespace !== undefined)
      problems.push(`${object.kind} ${object.metadata.name} names a namespace; the deploy dialog chooses it`);
    // Servers before 1.21 refuse a server-side apply of ports without protocol, a list-map key
    // (kubernetes-sigs/structured-merge-diff#130 and #183; fixed by kubernetes/kubernetes#98576).
    for (const where of portsWithoutProtocol(object))
      problems.push(`${object.kind} ${object.metadata.name}: ${where} needs protocol (TCP or UDP) for server-side apply`);
    const images = imagesOf(object);
    if (images.length > 0 && nodeOsOf(object) !== meta.os) {
      problems.push(`${object.kind} ${object.metadata.name} must select nodeSelector kubernetes.io/os: ${meta.os}`);
    }
    // Lab Windows workers are tainted os=windows:NoSchedule by default: Windows apps must tolerate it.
    const tolerates = tolerationsOf(object).some(
      (t) => t.key === WINDOWS_TAINT.key && t.value === WINDOWS_TAINT.value && (t.effect ?? WINDOWS_TAINT.effect) === WINDOWS_TAINT.effect,
    );
    if (images.length > 0 && meta.os === 'windows' && !tolerates) {
      problems.push(`${object.kind} ${object.metadata.name} must tolerate os=windows:NoSchedule, the taint of lab Windows workers`);
    }
  }
  const deploymentNames = objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
  const listed = meta.deployments.map((d) => d.name);
  for (const name of listed) if (!deploymentNames.includes(name)) problems.push(`deployment ${name} is not in manifests.yaml`);
  for (const name of deploymentNames) if (!listed.includes(name)) problems.push(`Deployment ${name} is missing from app.yaml deployments`);
  const used = new Set(objects.flatMap(imagesOf));
  const declared = new Set(meta.images);
  for (const image of used) if (!declared.has(image)) problems.push(`image ${image} is used but not listed in app.yaml images`);
  for (const image of declared) if (!used.has(image)) problems.push(`image ${image} is listed but not used`);
  if (meta.open) {
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === meta.open?.service);
    const ports = ((service?.spec as { ports?: { port?: number }[] } | undefined)?.ports ?? []).map((p) => p.port);
    if (!service) problems.push(`open.service ${meta.open.service} is not a Service of manifests.yaml`);
    else if (!ports.includes(meta.open.port)) problems.push(`Service ${meta.open.service} has no port ${meta.open.port}`);
  }
  if (problems.length > 0) return { ok: false, message: problems.join('; ') };
  return {
    ok: true,
    loaded: {
      app: {
        id,
        title: meta.title,
        description: meta.description,
        os: meta.os,
        images: meta.images,
        ports: meta.ports,
        deployments: meta.deployments,
        ...(meta.open ? { open: meta.open } : {}),
        objects: objects.map((o) => `${o.kind}/${o.metadata.name}`),
      },
      objects,
    },
  };
}

function portsWithoutProtocol(object: KubeObject): string[] {
  const missing: string[] = [];
  const spec = object.spec as
    | { ports?: { protocol?: string }[]; template?: { spec?: { containers?: { name?: string; ports?: { protocol?: string }[] }[] } } }
    | undefined;
  if (object.kind === 'Service') spec?.ports?.forEach((port, index) => port.protocol === undefined && missing.push(`spec.ports[${index}]`));
  for (const container of spec?.template?.spec?.containers ?? []) {
    container.ports?.forEach(
      (port, index) => port.protocol === undefined && missing.push(`container ${container.name ?? '?'} ports[${index}]`),
    );
  }
  return missing;
}

/** Reads every app folder of the catalog. A missing catalog folder is one problem, not a crash. */
export async function loadCatalog(dir: string): Promise<{ catalog: Catalog; loaded: Map<string, LoadedApp> }> {
  const loaded = new Map<string, LoadedApp>();
  const catalog: Catalog = { apps: [], problems: [] };
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    catalog.problems.push({
      app: '(catalog)',
      message: `The catalog folder ${dir} cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    });
    return { catalog, loaded };
  }
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const id = entry.name;
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(id)) {
      catalog.problems.push({ app: id, message: 'The folder name must be a DNS label (lower-case letters, digits, "-").' });
      continue;
    }
    let result: AppValidation;
    try {
      const [metadataText, manifestsText] = await Promise.all([
        readFile(join(dir, id, 'app.yaml'), 'utf8'),
        readFile(join(dir, id, 'manifests.yaml'), 'utf8'),
      ]);
      result = validateCatalogApp(id, metadataText, manifestsText);
    } catch (error) {
      result = { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    if (result.ok) {
      loaded.set(id, result.loaded);
      catalog.apps.push(result.loaded.app);
    } else {
      catalog.problems.push({ app: id, message: result.message });
    }
  }
  return { catalog, loaded };
}
