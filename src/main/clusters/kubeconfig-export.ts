/**
 * Export one context for command-line use: merged into an existing kubeconfig (other entries and
 * fields kept), refused on differing entries with the same names unless the user says replace,
 * the previous file copied aside first, then written atomically with mode 0600.
 */
import { copyFile, readFile, stat } from 'node:fs/promises';
import { parseDocument, stringify } from 'yaml';
import type { ExportResult, NameKind } from '../../shared/contract/clusters';
import { AppError } from '../../shared/errors';
import { writeFileAtomic } from '../platform/atomic-file';
import { sameEntry } from './import-plan';
import type { ClusterEntry, ContextEntry, UserEntry } from './kubeconfig-model';
import { MAX_ALIAS_COUNT, MAX_KUBECONFIG_BYTES } from './kubeconfig-parse';

export interface ExportEntries {
  context: [string, ContextEntry];
  cluster: [string, ClusterEntry];
  user?: [string, UserEntry];
}

type Named = { name: string } & Record<string, unknown>;
type KubeconfigObject = Record<string, unknown> & { clusters?: Named[]; users?: Named[]; contexts?: Named[] };

export async function exportToKubeconfig(path: string, entries: ExportEntries, replace: boolean, now: Date): Promise<ExportResult> {
  const existing = await readExisting(path);
  const config: KubeconfigObject = existing ?? { apiVersion: 'v1', kind: 'Config', preferences: {} };
  const incoming: [NameKind, Named][] = [
    ['cluster', { name: entries.cluster[0], cluster: clusterFields(entries.cluster[1]) }],
    ['context', { name: entries.context[0], context: contextFields(entries.context[1]) }],
  ];
  if (entries.user !== undefined) incoming.push(['user', { name: entries.user[0], user: userFields(entries.user[1]) }]);

  const conflicts: { kind: NameKind; name: string }[] = [];
  for (const [kind, entry] of incoming) {
    const list = config[`${kind}s`] ?? [];
    const found = list.find((item) => item.name === entry.name);
    if (found !== undefined && !sameEntry(found, entry)) conflicts.push({ kind, name: entry.name });
  }
  if (conflicts.length > 0 && !replace) return { status: 'conflict', path, conflicts };

  for (const [kind, entry] of incoming) {
    const key = `${kind}s`;
    const list = [...((config[key] ?? []) as Named[])];
    const index = list.findIndex((item) => item.name === entry.name);
    if (index >= 0) list[index] = entry;
    else list.push(entry);
    config[key] = list;
  }
  if (typeof config['current-context'] !== 'string' || config['current-context'] === '') config['current-context'] = entries.context[0];

  let backupPath: string | undefined;
  if (existing !== undefined) {
    backupPath = `${path}.nestlab-backup-${now.toISOString().replace(/[:.]/g, '-')}`;
    try {
      await copyFile(path, backupPath);
    } catch (error) {
      throw new AppError(
        'FILE_IO',
        `Could not back up ${path} to ${backupPath} (${(error as NodeJS.ErrnoException).code ?? 'error'}); nothing was written.`,
        {
          path,
        },
      );
    }
  }
  await writeFileAtomic(path, stringify(config), { mode: 0o600 });
  return { status: 'written', path, ...(backupPath === undefined ? {} : { backupPath }) };
}

/**
 * A kubeconfig holding only this context, its cluster and its user, secrets included, with
 * current-context set: for a terminal's private kubeconfig file (mode 0600), never for the renderer.
 */
export function renderSingleContext(entries: ExportEntries): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: entries.cluster[0], cluster: clusterFields(entries.cluster[1]) }],
    users: entries.user === undefined ? [] : [{ name: entries.user[0], user: userFields(entries.user[1]) }],
    contexts: [{ name: entries.context[0], context: contextFields(entries.context[1]) }],
    'current-context': entries.context[0],
    preferences: {},
  });
}

async function readExisting(path: string): Promise<KubeconfigObject | undefined> {
  let text: string;
  try {
    if ((await stat(path)).size > MAX_KUBECONFIG_BYTES) {
      throw new AppError('INVALID_INPUT', `${path} is larger than a kubeconfig can be; Nestlab does not write into it.`, { path });
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof AppError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AppError('FILE_IO', `Cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, { path });
  }
  if (text.trim() === '') return undefined;
  const document = parseDocument(text, { uniqueKeys: true });
  let value: unknown;
  try {
    value = document.errors.length > 0 ? undefined : document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch {
    value = undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AppError(
      'INVALID_INPUT',
      `${path} is not a readable kubeconfig, so Nestlab does not write into it. Choose another file or fix it first.`,
      {
        path,
      },
    );
  }
  return value as KubeconfigObject;
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function clusterFields(cluster: ClusterEntry): Record<string, unknown> {
  return {
    server: cluster.server,
    ...(cluster.caData !== undefined ? { 'certificate-authority-data': base64(cluster.caData) } : {}),
    ...(cluster.caFile !== undefined ? { 'certificate-authority': cluster.caFile } : {}),
    ...(cluster.insecureSkipTlsVerify ? { 'insecure-skip-tls-verify': true } : {}),
    ...(cluster.tlsServerName !== undefined ? { 'tls-server-name': cluster.tlsServerName } : {}),
    ...(cluster.proxyUrl !== undefined ? { 'proxy-url': cluster.proxyUrl } : {}),
  };
}

function contextFields(context: ContextEntry): Record<string, unknown> {
  return { cluster: context.cluster, user: context.user, ...(context.namespace !== undefined ? { namespace: context.namespace } : {}) };
}

function userFields(user: UserEntry): Record<string, unknown> {
  return {
    ...(user.token !== undefined ? { token: user.token } : {}),
    ...(user.token === undefined && user.tokenFile !== undefined ? { tokenFile: user.tokenFile } : {}),
    ...(user.clientCertData !== undefined ? { 'client-certificate-data': base64(user.clientCertData) } : {}),
    ...(user.clientCertFile !== undefined ? { 'client-certificate': user.clientCertFile } : {}),
    ...(user.clientKeyData !== undefined ? { 'client-key-data': base64(user.clientKeyData) } : {}),
    ...(user.clientKeyFile !== undefined ? { 'client-key': user.clientKeyFile } : {}),
    ...(user.username !== undefined ? { username: user.username } : {}),
    ...(user.password !== undefined ? { password: user.password } : {}),
    ...(user.exec !== undefined
      ? {
          exec: {
            apiVersion: user.exec.apiVersion,
            command: user.exec.command,
            args: user.exec.args,
            env: user.exec.env,
            ...(user.exec.installHint !== undefined ? { installHint: user.exec.installHint } : {}),
            ...(user.exec.provideClusterInfo ? { provideClusterInfo: true } : {}),
          },
        }
      : {}),
    ...(user.authProvider !== undefined ? { 'auth-provider': { name: user.authProvider.name, config: user.authProvider.config } } : {}),
  };
}
