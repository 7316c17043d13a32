import { AppError } from '../../shared/errors';
import { hostKeyFileFor } from '../../shared/host-key-file';

/** Where an SSH error happened, for messages and details. Never carries credentials. */
export interface SshErrorContext {
  hostId: string;
  host: string;
  port: number;
  username: string;
}

/** Why our host verifier refused the key the host presented (set during the handshake). */
export type HostKeyRejection =
  { kind: 'unknown'; keyType: string; fingerprint: string } | { kind: 'changed'; keyType: string; expected: string; presented: string };

type Ssh2Error = Error & { level?: string; code?: string };

const unreachableCodes = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EADDRNOTAVAIL']);
/** getaddrinfo's answers for a name it cannot resolve (no such name, or no DNS answer). */
export const unresolvedNameCodes = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'ENODATA']);

/** A host name nothing could resolve: said before anything else about the connection. */
export function unresolvedNameError(context: SshErrorContext, code: string): AppError {
  return new AppError(
    'UNREACHABLE',
    `The host name "${context.host}" could not be resolved (${code}), so nothing was sent. Check its spelling, your DNS server or /etc/hosts, or use the host's IP address.`,
    { hostId: context.hostId, host: context.host, port: context.port, cause: code, reason: 'unresolved-name' },
  );
}

/** The AppError for a host key our verifier refused. */
export function hostKeyError(rejection: HostKeyRejection, context: SshErrorContext): AppError {
  const where = `${context.host}:${context.port}`;
  if (rejection.kind === 'unknown') {
    return new AppError(
      'HOST_KEY_UNKNOWN',
      `First contact with ${where}: its ${rejection.keyType} host key has fingerprint ${rejection.fingerprint}. ` +
        `Nothing was run. Compare it with \`ssh-keygen -lf ${hostKeyFileFor(rejection.keyType)}\` on the host, then accept the key.`,
      { hostId: context.hostId, keyType: rejection.keyType, fingerprint: rejection.fingerprint },
    );
  }
  return new AppError(
    'HOST_KEY_CHANGED',
    `The host key of ${where} changed: expected ${rejection.expected}, the host presented ${rejection.presented}. ` +
      'Nothing was sent. This can be an attack or a reinstalled host; if you know the host was reinstalled, forget the old key and accept the new one.',
    { hostId: context.hostId, keyType: rejection.keyType, expected: rejection.expected, presented: rejection.presented },
  );
}

/** A private key that does not open (ssh2's parseKey refused it): said before connecting. */
export function privateKeyError(context: SshErrorContext): AppError {
  return new AppError(
    'SSH_AUTH_FAILED',
    'The private key could not be opened: the passphrase is wrong, missing, or the text is not an OpenSSH/PEM private key. Re-enter the key or its passphrase.',
    { hostId: context.hostId, host: context.host, port: context.port, username: context.username, reason: 'private-key' },
  );
}

/** Map an error from ssh2 or the socket while connecting into the closed error set. */
export function connectError(error: unknown, context: SshErrorContext, rejection?: HostKeyRejection): AppError {
  if (rejection !== undefined) return hostKeyError(rejection, context);
  if (error instanceof AppError) return error;
  const err = (error instanceof Error ? error : new Error(String(error))) as Ssh2Error;
  const where = `${context.host}:${context.port}`;
  const details = { hostId: context.hostId, host: context.host, port: context.port };
  if (err.level === 'client-authentication') {
    return new AppError(
      'SSH_AUTH_FAILED',
      `${where} refused the credentials for user "${context.username}". Check the user name and the password or key, and that the key is in the user's authorized_keys.`,
      { ...details, username: context.username },
    );
  }
  // Before 'ready' the only timeout is readyTimeout, the handshake's (keepalives start after it).
  if (err.level === 'client-timeout') {
    return new AppError(
      'SSH_HANDSHAKE_FAILED',
      `${where} accepted the TCP connection but did not complete an SSH handshake in time. Check that the port is an SSH server (not another service) and that nothing in between holds the connection.`,
      details,
    );
  }
  if (err.code !== undefined && unresolvedNameCodes.has(err.code)) return unresolvedNameError(context, err.code);
  if ((err.level === 'client-socket' || err.level === 'client-dns') && err.code !== undefined && unreachableCodes.has(err.code)) {
    return new AppError(
      'UNREACHABLE',
      `Cannot reach ${where} (${err.code}). Check the address and port, that sshd is running there, and that a firewall allows the connection.`,
      { ...details, cause: err.code },
    );
  }
  if (err.level === 'client-dns') return unresolvedNameError(context, err.code ?? 'no address');
  return new AppError(
    'SSH_HANDSHAKE_FAILED',
    `The SSH connection to ${where} failed before it was ready: ${err.message}. Check that the port is an SSH server and its algorithms are supported.`,
    { ...details, cause: err.level ?? err.code ?? 'unknown' },
  );
}

/**
 * A TCP stream the host was asked to open (a jump to another host, a tunnel to a lab address)
 * that it refused (reason 1: its sshd forbids forwarding) or could not connect (reason 2).
 */
export function forwardOutError(error: Error & { reason?: unknown }, context: SshErrorContext, target: string): AppError {
  const details = { hostId: context.hostId, target, cause: error.message };
  if (error.reason === 1) {
    return new AppError(
      'FORBIDDEN',
      `${context.host} does not allow TCP forwarding, so it cannot open a connection to ${target}. Set "AllowTcpForwarding yes" in its sshd_config (and no "DisableForwarding yes"), then reload sshd.`,
      details,
    );
  }
  return new AppError(
    'UNREACHABLE',
    `${context.host} could not open a TCP connection to ${target} (${error.message.replace(/^\(SSH\) Channel open failure: /, '') || 'connect failed'}). Check that something listens on ${target} and that ${context.host} reaches that network.`,
    details,
  );
}

/** The connection dropped while something was running. */
export function disconnectedError(context: SshErrorContext, during: string): AppError {
  return new AppError(
    'SSH_DISCONNECTED',
    `The SSH connection to ${context.host}:${context.port} dropped during ${during}. Nestlab reconnects automatically; run it again once the host is reachable.`,
    { hostId: context.hostId },
  );
}
