import { describe, expect, it } from 'vitest';
import { KubeHttpError, toKubeError } from './kube-errors';

const request = { server: 'https://127.0.0.1:6443', method: 'PATCH', path: '/apis/apps/v1/namespaces/shop/deployments/web' };

describe('toKubeError', () => {
  it('hands on a refused change of a field that cannot change as details.immutable, as the 1.20 server says it', () => {
    const answer = new KubeHttpError(422, {
      kind: 'Status',
      reason: 'Invalid',
      message:
        'Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"other"}}: field is immutable',
      details: { causes: [{ reason: 'FieldValueInvalid', field: 'spec.selector', message: 'Invalid value: ...: field is immutable' }] },
      code: 422,
    });
    expect(toKubeError(answer, request).toJSON()).toMatchObject({
      code: 'INVALID_INPUT',
      details: { status: 422, reason: 'Invalid', immutable: true, causes: [{ field: 'spec.selector' }] },
    });
  });

  it('keeps any other invalid value apart, with the fields the server named', () => {
    const answer = new KubeHttpError(422, {
      kind: 'Status',
      reason: 'Invalid',
      message: 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      details: {
        causes: [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' }],
      },
      code: 422,
    });
    const error = toKubeError(answer, request);
    expect(error.details).toMatchObject({ causes: [{ field: 'spec.replicas' }] });
    expect(error.details?.immutable).toBeUndefined();
  });
});
