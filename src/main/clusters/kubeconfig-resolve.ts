/**
 * A shape-checked kubeconfig -> normalized entries. Checks what kubectl would trip on later
 * (server URL, base64, PEM) and resolves file references with kubectl's rule: relative paths are
 * relative to the kubeconfig's own folder. Files inside that folder are read now and embedded, so
 * the lab keeps working when the folder moves; files elsewhere (and every token file outside it)
 * are only remembered and read at connect time.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { KubeconfigProblem } from '../../shared/contract/clusters';
import type { ClusterEntry, ContextEntry, ResolvedKubeconfig, UserEntry } from './kubeconfig-model';
import type { RawKubeconfig, RawUser } from './kubeconfig-parse';
import { dict } from './name-dict';
import { describeSmallFileFailure, readSmallFile } from './small-file';

export interface ResolveOptions {
  source: string;
  /** The folder the kubeconfig was chosen from; undefined for pasted text (no relative paths then). */
  dir?: string;
}

/**
 * Entries come back even when some have problems, so references between contexts, clusters and
 * users can still be checked and every problem reported in one answer.
 */
export async function resolveKubeconfig(
  raw: RawKubeconfig,
  options: ResolveOptions,
): Promise<{ value: ResolvedKubeconfig; problems: KubeconfigProblem[] }> {
  const problems: KubeconfigProblem[] = [];
  const notices: string[] = [];
  const fail = (message: string) => problems.push({ source: options.source, message });
  const files = new FileReferences(options, fail, notices);

  const clusters: [string, ClusterEntry][] = [];
  for (const { name, cluster } of raw.clusters) {
    const label = `cluster "${name}"`;
    const entry: ClusterEntry = { server: cluster.server, insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true };
    checkServer(cluster.server, label, fail);
    if (cluster['tls-server-name']) entry.tlsServerName = cluster['tls-server-name'];
    if (cluster['proxy-url']) {
      if (checkProxyUrl(cluster['proxy-url'], label, fail)) entry.proxyUrl = cluster['proxy-url'];
    }
    if (cluster['certificate-authority-data']) {
      const pem = decodePem(cluster['certificate-authority-data'], `${label}: certificate-authority-data`, 'certificate', fail);
      if (pem !== undefined) entry.caData = pem;
    } else if (cluster['certificate-authority']) {
      const found = await files.reference(cluster['certificate-authority'], `${label}: certificate-authority`, 'certificate');
      if (found?.data !== undefined) entry.caData = found.data;
      if (found?.path !== undefined) entry.caFile = found.path;
    }
    if (entry.insecureSkipTlsVerify) {
      notices.push(`${label} sets insecure-skip-tls-verify: the server's identity is not checked. Nestlab shows this as a warning.`);
    }
    clusters.push([name, entry]);
  }

  const users: [string, UserEntry][] = [];
  for (const { name, user } of raw.users) users.push([name, await resolveUser(name, user, files, fail)]);

  const contexts: [string, ContextEntry][] = raw.contexts.map(({ name, context }) => [
    name,
    { cluster: context.cluster, user: context.user ?? '', ...(context.namespace ? { namespace: context.namespace } : {}) },
  ]);

  return {
    problems,
    value: {
      source: options.source,
      clusters,
      users,
      contexts,
      notices,
      ...(raw.currentContext ? { currentContext: raw.currentContext } : {}),
      ...(raw.invalid === undefined ? {} : { invalidNames: raw.invalid }),
    },
  };
}

async function resolveUser(name: string, user: RawUser, files: FileReferences, fail: (message: string) => void): Promise<UserEntry> {
  const label = `user "${name}"`;
  const entry: UserEntry = {};
  if (user.token) entry.token = user.token;
  const tokenFile = user.tokenFile ?? user['token-file'];
  if (tokenFile) {
    const found = await files.reference(tokenFile, `${label}: tokenFile`, 'token');
    if (found?.data !== undefined) entry.token = found.data.trim();
    if (found?.path !== undefined) entry.tokenFile = found.path;
  }
  if (user['client-certificate-data']) {
    const pem = decodePem(user['client-certificate-data'], `${label}: client-certificate-data`, 'certificate', fail);
    if (pem !== undefined) entry.clientCertData = pem;
  } else if (user['client-certificate']) {
    const found = await files.reference(user['client-certificate'], `${label}: client-certificate`, 'certificate');
    if (found?.data !== undefined) entry.clientCertData = found.data;
    if (found?.path !== undefined) entry.clientCertFile = found.path;
  }
  if (user['client-key-data']) {
    const pem = decodePem(user['client-key-data'], `${label}: client-key-data`, 'key', fail);
    if (pem !== undefined) entry.clientKeyData = pem;
  } else if (user['client-key']) {
    const found = await files.reference(user['client-key'], `${label}: client-key`, 'key');
    if (found?.data !== undefined) entry.clientKeyData = found.data;
    if (found?.path !== undefined) entry.clientKeyFile = found.path;
  }
  const hasCert = entry.clientCertData !== undefined || entry.clientCertFile !== undefined;
  const hasKey = entry.clientKeyData !== undefined || entry.clientKeyFile !== undefined;
  if (hasCert !== hasKey) fail(`${label}: a client certificate needs its key and a key needs its certificate; only one is given.`);
  if (user.username) entry.username = user.username;
  if (user.password) entry.password = user.password;
  if (user.exec) {
    entry.exec = {
      command: user.exec.command,
      args: user.exec.args ?? [],
      env: user.exec.env ?? [],
      apiVersion: user.exec.apiVersion,
      ...(user.exec.installHint ? { installHint: user.exec.installHint } : {}),
      ...(user.exec.provideClusterInfo ? { provideClusterInfo: true } : {}),
    };
  }
  const provider = user['auth-provider'];
  if (provider) entry.authProvider = { name: provider.name, config: provider.config ?? dict() };
  return entry;
}

function checkServer(server: string, label: string, fail: (message: string) => void): void {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    fail(`${label}: server "${server}" is not a URL; expected https://host:port.`);
    return;
  }
  if (url.protocol === 'http:') {
    fail(`${label}: server ${server} uses http://, which sends credentials unencrypted. Nestlab connects only over https://.`);
  } else if (url.protocol !== 'https:') {
    fail(`${label}: server ${server} must start with https://.`);
  }
}

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

function decodePem(value: string, label: string, kind: 'certificate' | 'key', fail: (message: string) => void): string | undefined {
  const compact = value.replace(/\s+/g, '');
  if (!base64Pattern.test(compact) || compact.length % 4 !== 0) {
    fail(`${label} is not valid base64.`);
    return undefined;
  }
  const text = Buffer.from(compact, 'base64').toString('utf8');
  return checkPem(text, label, kind, fail) ? text : undefined;
}

function checkPem(text: string, label: string, kind: 'certificate' | 'key', fail: (message: string) => void): boolean {
  if (kind === 'certificate') {
    if (!/-----BEGIN CERTIFICATE-----/.test(text)) {
      fail(`${label} is not a PEM certificate (no "-----BEGIN CERTIFICATE-----").`);
      return false;
    }
    try {
      new X509Certificate(text);
      return true;
    } catch {
      fail(`${label} looks like PEM but is not a readable X.509 certificate.`);
      return false;
    }
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    fail(`${label} is not a PEM private key (no "-----BEGIN ... PRIVATE KEY-----").`);
    return false;
  }
  try {
    createPrivateKey(text);
    return true;
  } catch {
    fail(`${label} looks like PEM but is not a readable private key.`);
    return false;
  }
}

/** Resolves file references against the chosen folder; reads only what lies inside it. */
class FileReferences {
  private folder: Promise<string | undefined> | undefined;

  constructor(
    private readonly options: ResolveOptions,
    private readonly fail: (message: string) => void,
    private readonly notices: string[],
  ) {}

  /** `data` when read now (inside the folder), `path` when it is read at connect time. */
  async reference(
    path: string,
    label: string,
    kind: 'certificate' | 'key' | 'token',
  ): Promise<{ data?: string; path?: string } | undefined> {
    if (!isAbsolute(path) && this.options.dir === undefined) {
      this.fail(
        `${label}: the relative path "${path}" cannot be resolved for pasted text. Import the file by its path, or use an absolute path.`,
      );
      return undefined;
    }
    const absolute = this.options.dir === undefined ? path : resolve(this.options.dir, path);
    if (!(await this.isInsideFolder(absolute))) {
      this.notices.push(`${label}: ${absolute} is outside the imported file's folder; it is read only when connecting.`);
      return { path: absolute };
    }
    const read = await readSmallFile(absolute);
    if (!read.ok) {
      const kindHint = read.reason === 'unreadable' ? '' : `; a ${kind} file is a regular file of at most 1 MB`;
      this.fail(`${label}: ${describeSmallFileFailure(absolute, read)}${kindHint}.`);
      return undefined;
    }
    if (kind !== 'token' && !checkPem(read.text, `${label} (${absolute})`, kind, this.fail)) return undefined;
    return { data: read.text };
  }

  private async isInsideFolder(path: string): Promise<boolean> {
    if (this.options.dir === undefined) return false;
    this.folder ??= realpath(this.options.dir).catch(() => undefined);
    const folder = await this.folder;
    if (folder === undefined) return false;
    // Symlinks are followed, so a link inside the folder to a file elsewhere counts as elsewhere.
    const target = await realpath(path).catch(() => resolve(path));
    const rel = relative(folder, target);
    return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
  }
}

/** A proxy-url Nestlab can use: http(s):// (HTTP CONNECT) or socks5:// with a host, as client-go takes them. */
function checkProxyUrl(value: string, label: string, fail: (message: string) => void): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(`${label}: proxy-url "${value}" is not a URL. Write it as http://host:port (or https://, socks5://).`);
    return false;
  }
  if (!['http:', 'https:', 'socks5:'].includes(url.protocol) || url.hostname === '') {
    fail(`${label}: proxy-url "${value}" must be an http://, https:// or socks5:// URL with a host, as kubectl takes it.`);
    return false;
  }
  return true;
}
