/**
 * Connection failures -> an error code and a message that names the cause and the fix. details
 * carries `cause` and `fix` separately (the UI shows them apart; it never parses messages) and
 * the Node error code when there is one. Nothing here may put a credential into a message.
 */
import { AppError, type ErrorCode } from '../../shared/errors';

export function diagnosis(code: ErrorCode, cause: string, fix: string, details: Record<string, unknown> = {}): AppError {
  return new AppError(code, `${cause} ${fix}`, { ...details, cause, fix });
}

const unknownAuthority = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
]);
const unreachable = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE']);
/** TLS alerts the server sends when it rejects the client certificate during the handshake. */
const clientCertificateRejected = new Set([
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
]);

/** A Node socket / TLS error while talking to `server`. */
export function diagnoseNetworkError(error: unknown, server: string): AppError {
  if (error instanceof AppError) return error;
  const nodeCode = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const reason = error instanceof Error ? error.message : String(error);
  const details = { server, nodeCode };
  const host = hostOf(server);
  if (unknownAuthority.has(nodeCode)) {
    return diagnosis(
      'TLS_UNKNOWN_AUTHORITY',
      `The certificate of ${server} is signed by an authority this kubeconfig does not trust (x509: ${nodeCode}).`,
      'The cluster was most likely re-created and got a new CA: fetch its kubeconfig again and re-import it. If you use a private CA, put it in certificate-authority-data.',
      details,
    );
  }
  if (nodeCode === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return diagnosis(
      'TLS_NAME_MISMATCH',
      `The certificate of ${server} is not valid for the address "${host}" (subject alternative names: ${altNames(reason)}).`,
      `Connect with a name or address the certificate was issued for (change server in the kubeconfig, or set tls-server-name), or add "${host}" to the API server certificate's SANs.`,
      { ...details, host },
    );
  }
  if (nodeCode === 'CERT_HAS_EXPIRED' || nodeCode === 'CERT_NOT_YET_VALID') {
    return diagnosis(
      'TLS_CERT_EXPIRED',
      `The certificate that ${server} presents ${nodeCode === 'CERT_HAS_EXPIRED' ? 'has expired' : 'is not valid yet'}.`,
      'Renew the API server certificate (kubeadm certs renew all) and check the clocks of the server and this computer.',
      details,
    );
  }
  if (nodeCode === 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED') {
    return diagnosis(
      'TLS_CERT_EXPIRED',
      `${server} refused the client certificate because it has expired.`,
      'Get a new client certificate (fetch the kubeconfig again) and re-import it.',
      details,
    );
  }
  if (clientCertificateRejected.has(nodeCode)) {
    return diagnosis(
      'UNAUTHORIZED',
      `${server} refused the client certificate during the TLS handshake (${nodeCode}).`,
      'The certificate was not issued by this cluster: fetch the kubeconfig again and re-import it.',
      details,
    );
  }
  if (unreachable.has(nodeCode)) {
    const cause =
      nodeCode === 'ECONNREFUSED'
        ? `Nothing accepts connections at ${server} (connection refused).`
        : nodeCode === 'ETIMEDOUT'
          ? `${server} did not answer in time.`
          : nodeCode === 'ENOTFOUND' || nodeCode === 'EAI_AGAIN'
            ? `The name "${host}" of ${server} does not resolve (DNS).`
            : nodeCode === 'ECONNRESET' || nodeCode === 'EPIPE'
              ? `The connection to ${server} was closed unexpectedly.`
              : `There is no network route to ${server}.`;
    return diagnosis(
      'UNREACHABLE',
      cause,
      'Check that the API server (or the lab VM) is running and that the address and port are right; a VPN or firewall can also block it.',
      details,
    );
  }
  return diagnosis('UNREACHABLE', `Could not talk to ${server}: ${reason}.`, 'Check the address, the network and the API server.', details);
}

interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
  details?: { kind?: string; name?: string; group?: string };
}

/** A non-2xx answer of the API server. `method`/`path` only name the request (no query secrets). */
export function diagnoseHttpStatus(status: number, body: unknown, request: { server: string; path: string; method: string }): AppError {
  const statusBody = (typeof body === 'object' && body !== null ? body : {}) as StatusBody;
  const message = typeof statusBody.message === 'string' ? statusBody.message : '';
  const details = { server: request.server, status, reason: statusBody.reason ?? '' };
  if (status === 401) {
    return diagnosis(
      'UNAUTHORIZED',
      `${request.server} did not accept the credentials (401 Unauthorized): the token, password or client certificate is wrong, expired or revoked.`,
      'Fetch fresh credentials for this cluster (a new kubeconfig or token) and re-import them.',
      details,
    );
  }
  if (status === 403) {
    const rbac = /User "([^"]*)" cannot (\S+) resource "([^"]+)"(?: in API group "([^"]*)")?(?: in the namespace "([^"]+)")?/.exec(message);
    const verb = rbac?.[2] ?? verbOf(request.method);
    const resource = rbac?.[3] ?? statusBody.details?.kind ?? request.path;
    const user = rbac?.[1];
    const namespace = rbac?.[5];
    const group = rbac?.[4];
    const where = namespace ? ` in namespace "${namespace}"` : '';
    return diagnosis(
      'FORBIDDEN',
      `Forbidden: ${user ? `user "${user}"` : 'this identity'} may not ${verb} ${resource}${group ? ` (API group ${group})` : ''}${where}.`,
      `RBAC refused it. Ask a cluster admin for a Role or ClusterRole that allows "${verb}" on "${resource}", or use a context with more rights.`,
      { ...details, verb, resource, ...(user ? { user } : {}), ...(namespace ? { namespace } : {}), ...(group ? { group } : {}) },
    );
  }
  if (status === 404) {
    return new AppError('NOT_FOUND', `${request.path} was not found on ${request.server}${message ? `: ${message}` : '.'}`, details);
  }
  if (status === 409) {
    return new AppError(
      statusBody.reason === 'AlreadyExists' ? 'ALREADY_EXISTS' : 'CONFLICT',
      message || `Conflict (409) on ${request.path}.`,
      details,
    );
  }
  if (status === 400 || status === 422) {
    return new AppError('INVALID_INPUT', message || `The API server rejected the request (${status}).`, details);
  }
  if (status === 502 || status === 503 || status === 504) {
    return diagnosis(
      'UNREACHABLE',
      `${request.server} answered ${status}: the API server (or a proxy in front of it) is not ready.`,
      'Wait for the control plane to finish starting, then refresh; check the API server logs if it stays.',
      details,
    );
  }
  return new AppError('INTERNAL', `The API server answered ${status}${message ? `: ${message}` : '.'}`, details);
}

function verbOf(method: string): string {
  return { GET: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[method] ?? method.toLowerCase();
}

function hostOf(server: string): string {
  try {
    return new URL(server).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return server;
  }
}

/** Node's altname message ends with the certificate's names: "...is not in the cert's list: a, b". */
function altNames(reason: string): string {
  const match = /(?:list|altnames):\s*(.+)$/.exec(reason);
  return match?.[1]?.trim() ?? 'see the certificate';
}
