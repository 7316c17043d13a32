/**
 * What a custom YAML refusal says: which document and object, which field when the server named
 * one, and what to do. The server's own text stays in the message; the code and details keep
 * their shape so the panel can branch (CONFLICT offers force, a missing namespace offers to
 * create it).
 */
import type { ObjectRef } from '../../shared/contract/apps';
import { AppError } from '../../shared/errors';
import { describeRef } from './manifest';

/** Where a refused object came from: its document (absent for a namespace created on request) and ref. */
export interface FailedObject {
  document?: number;
  object: ObjectRef;
  /** The resource's plural, once discovery found it (for RBAC advice). */
  plural?: string;
}

function where(failed: FailedObject): string {
  return `${failed.document === undefined ? 'Namespace created on request' : `Document ${failed.document}`}, ${describeRef(failed.object)}`;
}

function inDocument(failed: FailedObject): string {
  return failed.document === undefined ? 'the request' : `document ${failed.document}`;
}

function causesOf(error: AppError): { field?: string; message: string }[] {
  const causes = error.details?.causes;
  return Array.isArray(causes) ? (causes as { field?: string; message: string }[]) : [];
}

/** The API server's refusal (or a discovery miss) of one object, explained. */
export function explainFailure(error: AppError, failed: FailedObject): AppError {
  const at = where(failed);
  const group = failed.object.apiVersion.includes('/') ? failed.object.apiVersion.split('/')[0] : '';
  switch (error.code) {
    case 'INVALID_INPUT': {
      const causes = causesOf(error);
      const fields = causes.map((cause) => cause.field).filter((field): field is string => typeof field === 'string' && field !== '');
      const said =
        causes.length > 0
          ? causes.map((cause) => (cause.field ? `${cause.field}: ${cause.message}` : cause.message)).join('; ')
          : error.message;
      return new AppError(
        'INVALID_INPUT',
        `${at}: the API server refused it: ${said}. Correct ${fields.length > 1 ? 'those fields' : fields.length === 1 ? 'that field' : 'the object'} in ${inDocument(failed)}, then run the dry run again.`,
        { ...error.details, ...(fields[0] === undefined ? {} : { field: fields[0], fields }), document: failed.document },
      );
    }
    case 'NOT_FOUND':
      if (error.details?.kind !== undefined) {
        return new AppError(
          'NOT_FOUND',
          `${at}: ${error.message} Check apiVersion and kind in ${inDocument(failed)} (\`kubectl api-resources\` lists what the server offers), or install the CustomResourceDefinition that defines it first.`,
          { ...error.details, field: 'kind', document: failed.document },
        );
      }
      return new AppError('NOT_FOUND', `${at}: ${error.message}. Check metadata.namespace and the names ${inDocument(failed)} refers to.`, {
        ...error.details,
        document: failed.document,
      });
    case 'FORBIDDEN': {
      const resource = `${failed.plural ?? failed.object.kind}${group ? `.${group}` : ''}`;
      const scope = failed.object.namespace ? ` in namespace ${failed.object.namespace}` : '';
      // The diagnosis keeps the cause apart from its general fix: this message gives a precise one.
      const cause = typeof error.details?.cause === 'string' ? error.details.cause : error.message;
      return new AppError(
        'FORBIDDEN',
        `${at}: ${cause.replace(/\.$/, '')}. Ask for a Role that allows get, create and patch on ${resource}${scope}, or use another context or namespace.`,
        { ...error.details, document: failed.document },
      );
    }
    case 'CONFLICT':
      return new AppError('CONFLICT', `${at}: ${error.message}`, { ...error.details, document: failed.document });
    case 'INTERNAL': {
      const keyField = error.details?.omittedKeyField;
      if (typeof keyField === 'string') {
        return new AppError(
          'INVALID_INPUT',
          `${at}: this API server (Kubernetes before 1.21) cannot server-side apply a list entry that omits its key field ${keyField} (${error.message}). Write ${keyField} out in ${inDocument(failed)} (for ports: protocol: TCP).`,
          { ...error.details, field: keyField, document: failed.document },
        );
      }
      return new AppError('INTERNAL', `${at}: ${error.message}. Run it again; if it keeps failing, the API server's log says why.`, {
        ...error.details,
        document: failed.document,
      });
    }
    default:
      return new AppError(error.code, `${at}: ${error.message}`, { ...error.details, document: failed.document });
  }
}

/** An object whose namespace neither exists nor is created by the YAML. */
export function missingNamespaceError(failed: FailedObject, namespace: string): AppError {
  return new AppError(
    'NOT_FOUND',
    `${where(failed)}: namespace ${namespace} does not exist and this YAML does not create it. Choose "Create namespace ${namespace}", add a Namespace document for it at the top, or set another namespace.`,
    { field: 'metadata.namespace', namespace, document: failed.document },
  );
}
