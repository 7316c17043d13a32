import { describe, expect, it } from 'vitest';
import { diagnoseHttpStatus, diagnoseNetworkError } from './diagnosis';

const nodeError = (code: string, message = code) => Object.assign(new Error(message), { code });
const server = 'https://10.0.0.5:6443';

describe('diagnoseNetworkError', () => {
  it.each([
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'TLS_UNKNOWN_AUTHORITY'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'TLS_UNKNOWN_AUTHORITY'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'TLS_UNKNOWN_AUTHORITY'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'TLS_NAME_MISMATCH'],
    ['CERT_HAS_EXPIRED', 'TLS_CERT_EXPIRED'],
    ['ECONNREFUSED', 'UNREACHABLE'],
    ['ETIMEDOUT', 'UNREACHABLE'],
    ['ENOTFOUND', 'UNREACHABLE'],
    ['EHOSTUNREACH', 'UNREACHABLE'],
  ])('maps %s to %s with a cause and a fix', (code, expected) => {
    const error = diagnoseNetworkError(nodeError(code), server);
    expect(error.code).toBe(expected);
    expect(error.details).toMatchObject({ server, nodeCode: code, cause: expect.any(String), fix: expect.any(String) });
    expect(error.message).toBe(`${String(error.details?.cause)} ${String(error.details?.fix)}`);
  });

  it('quotes the names a certificate covers on a SAN mismatch', () => {
    const error = diagnoseNetworkError(
      nodeError(
        'ERR_TLS_CERT_ALTNAME_INVALID',
        "Hostname/IP does not match certificate's altnames: Host: localhost. is not in the cert's altnames: IP Address:127.0.0.1, DNS:kubernetes",
      ),
      'https://localhost:6443',
    );
    expect(error.message).toMatch(
      /not valid for the address "localhost" \(subject alternative names: .*IP Address:127\.0\.0\.1, DNS:kubernetes\)/,
    );
  });
});

describe('diagnoseHttpStatus', () => {
  const request = { server, path: '/api/v1/namespaces/default/pods', method: 'POST' };

  it('names verb, resource and namespace of an RBAC refusal', () => {
    const error = diagnoseHttpStatus(
      403,
      {
        kind: 'Status',
        reason: 'Forbidden',
        message: 'pods is forbidden: User "jane" cannot create resource "pods" in API group "" in the namespace "default"',
      },
      request,
    );
    expect(error.code).toBe('FORBIDDEN');
    expect(error.details).toMatchObject({ verb: 'create', resource: 'pods', namespace: 'default', user: 'jane' });
    expect(error.message).toMatch(/^Forbidden: user "jane" may not create pods in namespace "default"\./);
  });

  it('falls back to the request for a 403 without an RBAC message', () => {
    expect(diagnoseHttpStatus(403, undefined, request).details).toMatchObject({ verb: 'create', resource: request.path });
  });

  it('maps 401 to UNAUTHORIZED and gateway errors to UNREACHABLE', () => {
    expect(diagnoseHttpStatus(401, {}, request).code).toBe('UNAUTHORIZED');
    expect(diagnoseHttpStatus(503, {}, request).code).toBe('UNREACHABLE');
    expect(diagnoseHttpStatus(409, { reason: 'AlreadyExists', message: 'exists' }, request).code).toBe('ALREADY_EXISTS');
  });
});
