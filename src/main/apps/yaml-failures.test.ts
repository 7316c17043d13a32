import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { KubeHttpError, toKubeError } from '../kube/kube-errors';
import { explainFailure, missingNamespaceError } from './yaml-failures';

const deployment = {
  document: 3,
  object: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' },
  plural: 'deployments',
};

describe('a custom YAML refusal names the document, the field and what to do', () => {
  it('a validation error names the fields the server named', () => {
    const error = explainFailure(
      new AppError('INVALID_INPUT', 'Deployment.apps "web" is invalid', {
        causes: [{ field: 'spec.template.spec.containers[0].image', message: 'Required value' }],
      }),
      deployment,
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toBe(
      'Document 3, Deployment shop/web: the API server refused it: spec.template.spec.containers[0].image: Required value. Correct that field in document 3, then run the dry run again.',
    );
    expect(error.details).toMatchObject({ field: 'spec.template.spec.containers[0].image', document: 3 });
  });

  it("an old server's missing key field becomes a fix, not a raw 500", () => {
    // As the 1.20 server answers it: a bare 500 whose only clue is its message (kubernetes#93077).
    const answer = new KubeHttpError(500, {
      kind: 'Status',
      message:
        'failed to create typed patch object: .spec.ports: element 0: associative list with keys has an element that omits key field "protocol"',
      code: 500,
    });
    const error = explainFailure(
      toKubeError(answer, { server: 'https://127.0.0.1:6443', method: 'PATCH', path: '/api/v1/namespaces/shop/services/front' }),
      { document: 2, object: { apiVersion: 'v1', kind: 'Service', name: 'front', namespace: 'shop' } },
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('Document 2, Service shop/front');
    expect(error.message).toContain('Write protocol out in document 2 (for ports: protocol: TCP)');
    expect(error.details).toMatchObject({ field: 'protocol' });
  });

  it('RBAC, unknown kinds and missing namespaces say what to do', () => {
    expect(explainFailure(new AppError('FORBIDDEN', 'Not allowed: deployments.apps is forbidden'), deployment).message).toContain(
      'Ask for a Role that allows get, create and patch on deployments.apps in namespace shop',
    );
    const kind = explainFailure(
      new AppError('NOT_FOUND', 'The server offers no kind Widget in example.com/v1.', { apiVersion: 'example.com/v1', kind: 'Widget' }),
      { document: 1, object: { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w' } },
    );
    expect(kind.message).toContain('install the CustomResourceDefinition');
    expect(kind.details).toMatchObject({ field: 'kind' });
    expect(missingNamespaceError(deployment, 'shop').message).toBe(
      'Document 3, Deployment shop/web: namespace shop does not exist and this YAML does not create it. Choose "Create namespace shop", add a Namespace document for it at the top, or set another namespace.',
    );
  });
});
