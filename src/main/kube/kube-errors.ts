/**
 * The one error mapper of src/main/kube: an API server's answer or a socket / TLS failure becomes
 * an AppError with a code and typed details, built on the Clusters view's connection diagnosis
 * (clusters/diagnosis.ts), so Topology, Apps, Pods and Clusters say the same cause and fix.
 * details.status carries the HTTP status of a refusal (410 Gone, 500...) for callers that branch
 * on it, details.immutable a refused change of a field that cannot change, details.omittedKeyField
 * a pre-1.21 apply's list entry without its key: nobody else needs to read a message.
 */
import { AppError } from '../../shared/errors';
import { diagnoseHttpStatus, diagnoseNetworkError, diagnosis } from '../clusters/diagnosis';

const IMMUTABLE = /\bimmutable\b/i;

/** A Kubernetes Status (the body of a refusal). */
export interface KubeStatus {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { kind?: string; name?: string; group?: string; causes?: { reason?: string; message?: string; field?: string }[] };
}

/** A non-2xx answer, with the Status the server sent (empty when it sent none). */
export class KubeHttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly status: KubeStatus = {},
  ) {
    super(status.message ?? `HTTP ${statusCode}`);
  }
}

/** What a request was, for messages: never its query (a label selector at most, no secret). */
export interface RequestLabel {
  server: string;
  method: string;
  path: string;
}

/** The Status in a response body, or one that carries the first 500 characters of a body that is not one. */
export function parseStatus(text: string): KubeStatus {
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null) return parsed;
  } catch {
    // not JSON: a proxy's or load balancer's page
  }
  return { message: text.trim().slice(0, 500) };
}

/** The HTTP status an error carries, from the API server's answer (details.status) or a KubeHttpError. */
export function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof KubeHttpError) return error.statusCode;
  const status = error instanceof AppError ? error.details?.status : undefined;
  return typeof status === 'number' ? status : undefined;
}

/** A watch or a stream the connection dropped mid-body (an API server restart). */
export function streamCutError(server: string): AppError {
  return diagnosis(
    'UNREACHABLE',
    `The connection to ${server} was cut while a stream was open.`,
    'Nestlab reconnects; if it keeps happening, check that the API server is running and the network is stable.',
    { server, streamCut: true },
  );
}

/** Any failure of a request to `request.server` as the UI shows it. */
export function toKubeError(error: unknown, request: RequestLabel): AppError {
  if (error instanceof AppError) return error;
  if (!(error instanceof KubeHttpError)) return diagnoseNetworkError(error, request.server);
  const { statusCode, status } = error;
  const message = status.message ?? `HTTP ${statusCode}`;
  const typed = { server: request.server, status: statusCode, reason: status.reason ?? '' };
  switch (statusCode) {
    case 404:
      return new AppError('NOT_FOUND', message, typed);
    case 409: {
      // A server-side apply conflict: one cause per field, reason FieldManagerConflict; apply with
      // force takes the fields over. The other manager's name is only in each cause's message.
      const conflicts = (status.details?.causes ?? []).filter((cause) => cause.reason === 'FieldManagerConflict');
      if (conflicts.length > 0) {
        const managers = [...new Set(conflicts.map((cause) => /"([^"]+)"/.exec(cause.message ?? '')?.[1] ?? 'another manager'))];
        const fields = conflicts.map((cause) => cause.field).filter((field): field is string => typeof field === 'string');
        return new AppError(
          'CONFLICT',
          `Field manager${managers.length > 1 ? 's' : ''} ${managers.map((m) => `"${m}"`).join(', ')} own${managers.length > 1 ? '' : 's'} ${fields.join(', ') || 'fields'} this apply sets. Apply with force to take them over.`,
          { ...typed, managers, fields },
        );
      }
      return new AppError('ALREADY_EXISTS', message, typed);
    }
    case 400:
    case 422: {
      // The server names the fields it refused (details.causes[].field): keep them for the caller.
      const causes = (status.details?.causes ?? []).map((cause) => ({
        ...(cause.field === undefined ? {} : { field: cause.field }),
        message: cause.message ?? cause.reason ?? '',
      }));
      // A field that cannot change is said only in words ("field is immutable", "is immutable after
      // creation"; the reason is the FieldValueInvalid or FieldValueForbidden of any bad value), so
      // it is read here, with #93077's below, and handed on.
      const immutable = IMMUTABLE.test(message) || causes.some((cause) => IMMUTABLE.test(cause.message));
      return new AppError('INVALID_INPUT', message, {
        ...typed,
        ...(causes.length > 0 ? { causes } : {}),
        ...(immutable ? { immutable: true } : {}),
      });
    }
    case 401:
    case 403:
    case 502:
    case 503:
    case 504: {
      const diagnosed = diagnoseHttpStatus(statusCode, status, request);
      return new AppError(diagnosed.code, diagnosed.message, { ...diagnosed.details, ...typed });
    }
    default: {
      // Before 1.21 a server-side apply of a list entry without its key field (a port without
      // protocol) fails with a bare 500 (kubernetes/kubernetes#93077): no reason or cause says so,
      // only the message. It is read here, in the one place that reads an API server's messages,
      // and handed on as a detail.
      const omitted = statusCode === 500 ? /omits key field "?([A-Za-z]+)"?/.exec(message)?.[1] : undefined;
      return new AppError(
        'INTERNAL',
        `The API server answered ${statusCode}: ${message}`,
        omitted === undefined ? typed : { ...typed, omittedKeyField: omitted },
      );
    }
  }
}

/** Any error of a caller of the API as an AppError: the client's are mapped already; a KubeHttpError (an ERROR watch event) is mapped here. */
export function toAppError(error: unknown, server = 'the API server'): AppError {
  return toKubeError(error, { server, method: 'GET', path: '' });
}
