/**
 * Errors that cross a process boundary. A service throws an AppError; every transport
 * serializes it as {code, message, details} and the far side rebuilds an AppError, so the
 * renderer branches on `code` and never parses message strings.
 */

/** The closed set of error codes. Add a code here (with its JSDoc) before throwing it. */
export const errorCodes = [
  /** Arguments failed validation at the receiving side. */
  'INVALID_ARGUMENT',
  /** The named domain, method or event is not in the contract. */
  'UNKNOWN_METHOD',
  /** The caller is not allowed to talk to this endpoint (token, origin, host or sender frame). */
  'UNAUTHORIZED_CALLER',
  /** The transport to the main process is down; the client is reconnecting. */
  'TRANSPORT_CLOSED',
  /** The user or the app cancelled a long operation. */
  'CANCELLED',
  /** An operation ran past its time limit. */
  'TIMEOUT',
  /** A thing that was asked for does not exist (host, cluster, context, terminal...). */
  'NOT_FOUND',
  /** The thing to create already exists. */
  'ALREADY_EXISTS',
  /** A file could not be read or written. */
  'FILE_IO',
  /** A stored file was unreadable; it was kept aside and defaults were loaded. */
  'FILE_CORRUPT',
  /** Input (YAML, JSON, a kubeconfig, a form field) is malformed. */
  'INVALID_INPUT',
  /** A required external program (kubectl, an exec plugin, ssh) is not installed. */
  'PROGRAM_MISSING',
  /** An external program ran and failed. */
  'PROGRAM_FAILED',
  /** SSH: first contact with a host whose key the user has not accepted yet. */
  'HOST_KEY_UNKNOWN',
  /** SSH: the host presented a key different from the one the user accepted. */
  'HOST_KEY_CHANGED',
  /** SSH: the host store is missing or corrupt; connections fail closed. */
  'HOST_KEY_STORE_CORRUPT',
  /** SSH: authentication was refused (wrong password, key or user). */
  'SSH_AUTH_FAILED',
  /** SSH or HTTPS: the address could not be reached (refused, no route, DNS). */
  'UNREACHABLE',
  /** SSH: the TCP connection opened but the SSH handshake did not complete. */
  'SSH_HANDSHAKE_FAILED',
  /** SSH: the connection dropped while a command or channel was running. */
  'SSH_DISCONNECTED',
  /** A remote command needs sudo and non-interactive sudo was refused. */
  'SUDO_REQUIRED',
  /** A secret could not be stored safely (no keyring and the user did not opt in). */
  'SECRET_STORAGE_UNAVAILABLE',
  /** Kubernetes: the server's certificate is signed by an authority the kubeconfig does not trust. */
  'TLS_UNKNOWN_AUTHORITY',
  /** Kubernetes: the server's certificate does not cover the address used (SAN mismatch). */
  'TLS_NAME_MISMATCH',
  /** Kubernetes: the client certificate or the server certificate has expired. */
  'TLS_CERT_EXPIRED',
  /** Kubernetes: credentials were refused (401). */
  'UNAUTHORIZED',
  /** Kubernetes: RBAC refused the verb on the resource (403). */
  'FORBIDDEN',
  /** A credential plugin (kubeconfig exec / auth-provider command) must be approved by the user before it runs. */
  'APPROVAL_REQUIRED',
  /**
   * Credentials would go to an API server they were not imported with (a name clash choice, or a
   * context rebound since): the user must confirm that server first. Nothing was sent or stored.
   */
  'CONFIRMATION_REQUIRED',
  /** Kubernetes: a server-side apply conflict with another field manager. */
  'CONFLICT',
  /** Anything not covered above; the message says what happened. */
  'INTERNAL',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** The wire shape of an error: what every transport sends. */
export interface SerializedError {
  code: ErrorCode;
  message: string;
  /** Plain JSON data that helps the UI (a field name, fingerprints, a path). Never a secret. */
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  override readonly name = 'AppError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toJSON(): SerializedError {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  /** Rebuild an AppError from the wire; unknown shapes become INTERNAL rather than throwing. */
  static fromJSON(value: unknown): AppError {
    if (typeof value === 'object' && value !== null) {
      const { code, message, details } = value as Partial<SerializedError>;
      if (isErrorCode(code) && typeof message === 'string') {
        return new AppError(code, message, isRecord(details) ? details : undefined);
      }
    }
    return new AppError('INTERNAL', 'An error arrived in an unknown shape.');
  }

  /** Any thrown value as an AppError; non-AppErrors become INTERNAL with their message. */
  static from(error: unknown): AppError {
    if (error instanceof AppError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new AppError('INTERNAL', message);
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (errorCodes as readonly string[]).includes(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
