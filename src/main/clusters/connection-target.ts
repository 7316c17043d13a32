/**
 * A stored context -> a ConnectionTarget with its credentials, read at connect time: secrets from
 * the secret store, files outside the imported folder from disk (errors name the path), and an
 * approved credential plugin run (cached until its credentials expire).
 */
import { X509Certificate } from 'node:crypto';
import { AppError } from '../../shared/errors';
import type { RunProgram } from '../platform/run-program';
import type { ClusterStore, StoreFile } from './cluster-store';
import { carriesCredentials, endpointOf } from './credential-binding';
import { runPlugin, type PluginCredentials } from './credential-plugins';
import { externalFilesAllowed, externalFilesOf } from './file-approvals';
import { pluginStateOf } from './plugin-approvals';
import { describeSmallFileFailure, readSmallFile } from './small-file';
import { diagnosis } from './diagnosis';
import type { ConnectionTarget } from '../kube/connection-target';

export interface TargetOptions {
  store: ClusterStore;
  run: RunProgram;
  pluginTimeoutMs: number;
  now: () => number;
}

/** How long plugin credentials without an expiry are reused. */
const PLUGIN_CACHE_MS = 5 * 60_000;

export class ConnectionTargets {
  private readonly pluginCache = new Map<string, PluginCredentials & { until: number }>();

  constructor(private readonly options: TargetOptions) {}

  /** Drop cached plugin credentials (after a 401, a revoke or a removal). */
  forget(context: string): void {
    for (const key of [...this.pluginCache.keys()]) if (key.startsWith(`${context}\n`)) this.pluginCache.delete(key);
  }

  async resolve(file: StoreFile, context: string): Promise<{ target: ConnectionTarget; identity: string }> {
    const stored = file.contexts[context];
    if (stored === undefined) throw new AppError('NOT_FOUND', `There is no context "${context}".`, { context });
    const cluster = file.clusters[stored.entry.cluster];
    if (cluster === undefined)
      throw new AppError('NOT_FOUND', `The cluster "${stored.entry.cluster}" of context "${context}" is missing.`, { context });
    const entry = cluster.entry;
    if (!externalFilesAllowed(file, context)) {
      const files = externalFilesOf(file, context);
      throw new AppError(
        'APPROVAL_REQUIRED',
        `Context "${context}" reads ${files.join(', ')} when connecting: ${files.length === 1 ? 'a file' : 'files'} outside the folder its kubeconfig was imported from. Nestlab reads ${files.length === 1 ? 'it' : 'them'} only after you allow it in the Clusters view.`,
        { context, files },
      );
    }
    const target: ConnectionTarget = { server: entry.server, insecureSkipTlsVerify: entry.insecureSkipTlsVerify };
    if (entry.tlsServerName !== undefined) target.tlsServerName = entry.tlsServerName;
    if (entry.proxyUrl !== undefined) target.proxyUrl = entry.proxyUrl;
    if (entry.caData !== undefined) target.ca = entry.caData;
    else if (entry.caFile !== undefined)
      target.ca = await readReferenced(entry.caFile, `certificate-authority of cluster "${stored.entry.cluster}"`);

    const userName = stored.entry.user;
    const storedUser = userName === '' ? undefined : file.users[userName];
    let identity = userName || 'anonymous';
    if (storedUser === undefined) return { target, identity };
    const user = await this.options.store.requireUser(storedUser, userName);
    const label = `user "${userName}"`;
    // Before anything is read or run: these credentials go only to servers they are bound to.
    if (storedUser.servers !== undefined && carriesCredentials(user) && !storedUser.servers.includes(endpointOf(entry))) {
      throw new AppError(
        'CONFIRMATION_REQUIRED',
        `Context "${context}" would send the credentials of ${label} (from ${storedUser.source}) to ${entry.server}, a server they were not imported with. Nothing was sent. Import a kubeconfig that pairs them with this server, or confirm it when resolving the name clash.`,
        {
          context,
          server: entry.server,
          cause: `The credentials of ${label} were not imported with ${entry.server}.`,
          fix: 'Import a kubeconfig that pairs these credentials with this server.',
        },
      );
    }
    if (user.token !== undefined) target.token = user.token;
    else if (user.tokenFile !== undefined) target.token = (await readReferenced(user.tokenFile, `tokenFile of ${label}`)).trim();
    const cert =
      user.clientCertData ??
      (user.clientCertFile === undefined ? undefined : await readReferenced(user.clientCertFile, `client-certificate of ${label}`));
    const key =
      user.clientKeyData ??
      (user.clientKeyFile === undefined ? undefined : await readReferenced(user.clientKeyFile, `client-key of ${label}`));
    if (cert !== undefined && key !== undefined) {
      target.cert = cert;
      target.key = key;
      identity = certificateSubject(cert) ?? identity;
    }
    if (user.username !== undefined && user.password !== undefined) {
      target.username = user.username;
      target.password = user.password;
      identity = user.username;
    }
    if (user.authProvider !== undefined && target.token === undefined) {
      const cached = user.authProvider.config['id-token'] ?? user.authProvider.config['access-token'];
      if (cached !== undefined && cached !== '') target.token = cached;
    }

    const state = pluginStateOf(file, context);
    if (state !== undefined) {
      const { approvalKey } = state;
      // Run with the real env values (the shown plugin has the secret ones masked).
      const plugin = { ...state.plugin, env: user.exec?.env ?? state.plugin.env };
      if (!state.approved) {
        throw new AppError(
          'APPROVAL_REQUIRED',
          `Context "${context}" gets its credentials from the command "${[plugin.command, ...plugin.args].join(' ')}". Nestlab runs it only after you approve it.`,
          { context, approvalKey, command: plugin.command },
        );
      }
      const credentials = await this.pluginCredentials(context, approvalKey, () =>
        runPlugin(plugin, {
          run: this.options.run,
          timeoutMs: this.options.pluginTimeoutMs,
          maxBytes: 1024 * 1024,
          server: entry.server,
          ...(user.authProvider?.config['token-key'] === undefined ? {} : { tokenKey: user.authProvider.config['token-key'] }),
        }),
      );
      if (credentials.token !== undefined) target.token = credentials.token;
      if (credentials.cert !== undefined && credentials.key !== undefined) {
        target.cert = credentials.cert;
        target.key = credentials.key;
      }
    }
    if (target.cert !== undefined) checkClientCertificate(target.cert, label, this.options.now());
    return { target, identity };
  }

  private async pluginCredentials(context: string, approvalKey: string, run: () => Promise<PluginCredentials>): Promise<PluginCredentials> {
    const key = `${context}\n${approvalKey}`;
    const cached = this.pluginCache.get(key);
    const now = this.options.now();
    if (cached !== undefined && cached.until > now) return cached;
    const credentials = await run();
    // Renew a little before expiry, as client-go does.
    const until = credentials.expiresAt === undefined ? now + PLUGIN_CACHE_MS : credentials.expiresAt - 10_000;
    this.pluginCache.set(key, { ...credentials, until });
    return credentials;
  }
}

/** Files outside the imported folder are read only now; errors name the path (never the content). */
async function readReferenced(path: string, label: string): Promise<string> {
  const read = await readSmallFile(path);
  if (read.ok) return read.text;
  const problem = describeSmallFileFailure(path, read);
  if (read.reason !== 'unreadable') {
    throw new AppError(
      'INVALID_INPUT',
      `Refused to read the ${label}: ${problem}. It must be a regular file of at most 1 MB; point the kubeconfig at the right file and import it again.`,
      { path, cause: `The ${label}: ${problem}.`, fix: 'Point the kubeconfig at a regular file of at most 1 MB and import it again.' },
    );
  }
  throw new AppError(
    'FILE_IO',
    `Cannot read ${path}, the ${label} (${read.code ?? 'error'}). It lies outside the folder the kubeconfig was imported from, so Nestlab reads it at each connection: restore the file or import a kubeconfig that embeds it.`,
    { path, cause: `Cannot read ${path} (${read.code ?? 'error'}).`, fix: 'Restore the file, or re-import a kubeconfig that embeds it.' },
  );
}

function checkClientCertificate(pem: string, label: string, now: number): void {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw new AppError('INVALID_INPUT', `The client certificate of ${label} is not a readable X.509 certificate.`);
  }
  const validTo = Date.parse(certificate.validTo);
  if (!Number.isNaN(validTo) && validTo < now) {
    throw diagnosis(
      'TLS_CERT_EXPIRED',
      `The client certificate of ${label} expired on ${new Date(validTo).toISOString()}.`,
      'Get a new client certificate (fetch the kubeconfig again, or renew it: kubeadm certs renew / kubeadm kubeconfig user) and re-import it.',
      { expiredAt: new Date(validTo).toISOString() },
    );
  }
}

function certificateSubject(pem: string): string | undefined {
  try {
    return /CN=([^\n,]+)/.exec(new X509Certificate(pem).subject)?.[1];
  } catch {
    return undefined;
  }
}
