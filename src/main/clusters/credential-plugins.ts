/**
 * Credential plugins: kubeconfig `exec` and `auth-provider` commands (`cmd-path`). They never run on
 * import; they run only after the user approved exactly this command, args and env for this
 * context and server (a SHA-256 of them), from an argument list (no shell), with a timeout and
 * bounded output.
 */
import { createHash } from 'node:crypto';
import type { CredentialPlugin } from '../../shared/contract/clusters';
import { AppError } from '../../shared/errors';
import type { RunProgram } from '../platform/run-program';
import type { ExecPluginConfig } from './kubeconfig-model';
import { dict } from './name-dict';

/**
 * Plugin variables whose values are shown and kept in clusters.json: they decide which program or
 * library runs (PATH, LD_PRELOAD, NODE_OPTIONS...), so the user must see them to judge the command,
 * and they are paths, not secrets. Every other value is kept in the secret store and masked.
 */
export function isShownEnv(name: string): boolean {
  return /^(PATH|HOME|LD_[A-Z_]+|DYLD_[A-Z_]+|NODE_OPTIONS|NODE_PATH|PYTHON(PATH|HOME|STARTUP)|PERL5(LIB|OPT)|RUBY(LIB|OPT)|BASH_ENV|ENV|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS)$/.test(
    name,
  );
}

/** A plugin as shown to the user, before approval state is known. */
export type PluginCommand = Omit<CredentialPlugin, 'approved' | 'approvalKey'>;

/** The plugin of a user entry, if it has one that runs a program. */
export function pluginOf(user: {
  exec?: Omit<ExecPluginConfig, 'env'> & { env: { name: string; value?: string }[] };
  authProvider?: { name: string; publicConfig: Record<string, string> };
}): PluginCommand | undefined {
  if (user.exec !== undefined) {
    return {
      kind: 'exec',
      command: user.exec.command,
      args: user.exec.args,
      env: user.exec.env,
      apiVersion: user.exec.apiVersion,
      ...(user.exec.installHint === undefined ? {} : { installHint: user.exec.installHint }),
    };
  }
  const command = user.authProvider?.publicConfig['cmd-path'];
  if (user.authProvider !== undefined && command !== undefined && command !== '') {
    const args = (user.authProvider.publicConfig['cmd-args'] ?? '').split(/\s+/).filter(Boolean);
    return { kind: 'auth-provider', providerName: user.authProvider.name, command, args, env: [] };
  }
  return undefined;
}

/** Where an approval holds: one context, talking to one server (URL, CA, TLS name). */
export interface ApprovalScope {
  context: string;
  /** credential-binding endpointOf the context's cluster. */
  endpoint: string;
  /** Changes with the secret env values (which the key must not be a digest of). */
  envRevision?: string;
}

/**
 * What an approval is keyed by: the command, args and env, and the context and server it runs
 * for. Any change to either needs a new approval, so approving a plugin for one kubeconfig never
 * runs the same command for another kubeconfig's server.
 */
export function approvalKeyOf(plugin: PluginCommand, scope: ApprovalScope): string {
  const material = JSON.stringify([
    plugin.kind,
    plugin.command,
    plugin.args,
    plugin.env.map(({ name, value }) => [name, value ?? null]),
    scope.context,
    scope.endpoint,
    scope.envRevision ?? null,
  ]);
  return createHash('sha256').update(material).digest('hex');
}

export interface PluginCredentials {
  token?: string;
  cert?: string;
  key?: string;
  /** When to run the plugin again; undefined: at every connection. */
  expiresAt?: number;
}

export interface RunPluginOptions {
  run: RunProgram;
  timeoutMs: number;
  maxBytes: number;
  /** For KUBERNETES_EXEC_INFO (cluster info only when the kubeconfig asks for it). */
  server: string;
  /** auth-provider: JSONPath-like `{.credential.access_token}` to the token. */
  tokenKey?: string;
}

/** Run an approved plugin and read its credentials. Its output is never echoed into errors. */
export async function runPlugin(plugin: PluginCommand, options: RunPluginOptions): Promise<PluginCredentials> {
  const execInfo = {
    apiVersion: plugin.apiVersion ?? 'client.authentication.k8s.io/v1beta1',
    kind: 'ExecCredential',
    spec: { interactive: false },
  };
  // Variable names come from the kubeconfig: a null-prototype object keeps each as a variable.
  const env: NodeJS.ProcessEnv = Object.assign(dict<string>(), process.env, { KUBERNETES_EXEC_INFO: JSON.stringify(execInfo) });
  for (const { name, value } of plugin.env) env[name] = value ?? '';
  let stdout: string;
  try {
    ({ stdout } = await options.run(plugin.command, plugin.args, { timeoutMs: options.timeoutMs, maxBytes: options.maxBytes, env }));
  } catch (error) {
    throw describeRunFailure(AppError.from(error), plugin, options.timeoutMs, options.maxBytes);
  }
  return plugin.kind === 'exec' ? readExecCredential(stdout, plugin.command) : readProviderToken(stdout, plugin.command, options.tokenKey);
}

function describeRunFailure(error: AppError, plugin: PluginCommand, timeoutMs: number, maxBytes: number): AppError {
  const details = { command: plugin.command };
  if (error.code === 'PROGRAM_MISSING') {
    const hint = plugin.installHint ? ` The kubeconfig says: ${plugin.installHint.trim()}` : '';
    return new AppError(
      'PROGRAM_MISSING',
      `The credential plugin "${plugin.command}" was not found. Install it, or put its absolute path in the kubeconfig: apps started from a desktop menu often do not get the PATH your shell has.${hint}`,
      { ...details, cause: `"${plugin.command}" is not installed or not on Nestlab's PATH.`, fix: 'Install it or use its absolute path.' },
    );
  }
  if (error.code === 'TIMEOUT') {
    return new AppError(
      'TIMEOUT',
      `The credential plugin "${plugin.command}" did not finish within ${timeoutMs / 1000} s. Plugins that wait for a browser login or a prompt cannot run here; log in once in a terminal first.`,
      details,
    );
  }
  if (error.code === 'PROGRAM_FAILED' && error.details?.reason === 'output-too-large') {
    return new AppError(
      'PROGRAM_FAILED',
      `The credential plugin "${plugin.command}" printed more than ${maxBytes / 1024 / 1024} MB and was stopped; an ExecCredential is a few kilobytes. Check that it prints only its credential on stdout (logs belong on stderr).`,
      {
        ...details,
        cause: `The credential plugin printed more than ${maxBytes / 1024 / 1024} MB.`,
        fix: 'Make it print only its ExecCredential on stdout.',
      },
    );
  }
  if (error.code === 'PROGRAM_FAILED') {
    return new AppError('PROGRAM_FAILED', `The credential plugin failed. ${error.message}`, details);
  }
  return new AppError(error.code, error.message, details);
}

function readExecCredential(stdout: string, command: string): PluginCredentials {
  const json = parseJson(stdout);
  if (json === undefined) {
    // The output itself is never quoted: it may hold a token.
    throw new AppError(
      'PROGRAM_FAILED',
      `The credential plugin "${command}" printed ${stdout.trim() === '' ? 'nothing' : 'text that is not JSON'} on stdout; it must print one ExecCredential object (client.authentication.k8s.io). Check that it prints its logs on stderr, or run it in a terminal to see what it prints.`,
      { command, cause: 'The credential plugin did not print JSON.', fix: 'Make it print only its ExecCredential on stdout.' },
    );
  }
  const status = (json as { kind?: unknown; status?: Record<string, unknown> } | undefined)?.status;
  if (status === undefined || typeof status !== 'object') {
    throw new AppError('PROGRAM_FAILED', `The credential plugin "${command}" did not print an ExecCredential with a status.`, { command });
  }
  const credentials: PluginCredentials = {};
  if (typeof status.token === 'string' && status.token !== '') credentials.token = status.token;
  if (typeof status.clientCertificateData === 'string' && typeof status.clientKeyData === 'string') {
    credentials.cert = status.clientCertificateData;
    credentials.key = status.clientKeyData;
  }
  if (credentials.token === undefined && credentials.cert === undefined) {
    throw new AppError('PROGRAM_FAILED', `The credential plugin "${command}" printed neither a token nor a client certificate.`, {
      command,
    });
  }
  if (typeof status.expirationTimestamp === 'string') {
    const expiresAt = Date.parse(status.expirationTimestamp);
    if (!Number.isNaN(expiresAt)) credentials.expiresAt = expiresAt;
  }
  return credentials;
}

function readProviderToken(stdout: string, command: string, tokenKey = '{.access_token}'): PluginCredentials {
  const path = tokenKey
    .replace(/^\{\.?|\}$/g, '')
    .split('.')
    .filter(Boolean);
  let value: unknown = parseJson(stdout);
  for (const part of path) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  if (typeof value !== 'string' || value === '') {
    throw new AppError('PROGRAM_FAILED', `The auth-provider command "${command}" printed no token at ${tokenKey}.`, { command });
  }
  return { token: value };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
