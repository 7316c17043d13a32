import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { ImportResult } from '../../shared/contract/clusters';
import { AppError } from '../../shared/errors';
import { createClusterSteps } from './cluster-steps';
import { machinesOf } from './machines';
import type { StepContext } from './step-context';
import { testPlan } from './test-plans';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const ADMIN_CONF = stringify({
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [
    {
      name: 'kubernetes',
      cluster: {
        'certificate-authority-data': b64('-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n'),
        server: 'https://x:6443',
      },
    },
  ],
  contexts: [{ name: 'admin', context: { cluster: 'kubernetes', user: 'admin' } }],
  'current-context': 'admin',
  users: [
    {
      name: 'admin',
      user: {
        'client-certificate-data': b64('-----BEGIN CERTIFICATE-----\nQ0VSVA==\n-----END CERTIFICATE-----\n'),
        'client-key-data': b64('-----BEGIN RSA PRIVATE KEY-----\nS0VZ\n-----END RSA PRIVATE KEY-----\n'),
      },
    },
  ],
});

/** The kubeconfig step with a verify that answers the given outcomes in turn, and a step context whose waitFor asks until an answer or `timeoutMs` worth of 2 s intervals. */
function saveWith(outcomes: (string | AppError)[]) {
  const plan = testPlan({ linuxWorkers: 0, windowsWorkers: 0 });
  let verified = 0;
  const imported: string[] = [];
  const steps = createClusterSteps({
    clusters: {
      importKubeconfig: (source) => {
        if (source.kind === 'text') imported.push(source.text);
        return Promise.resolve({ status: 'imported' } as ImportResult);
      },
      remove: () => Promise.resolve(),
      contextNames: () => Promise.resolve([]),
      requestAs: () => Promise.resolve({}),
    },
    hostName: 'host-1',
    hostAddress: '127.0.0.1',
    context: plan.name,
    ownsContext: () => true,
    onSaved: () => undefined,
    drainTimeoutMs: 1000,
    verify: () => {
      const outcome = outcomes[verified++] ?? new AppError('UNREACHABLE', 'no more answers');
      return typeof outcome === 'string' ? Promise.resolve(outcome) : Promise.reject(outcome);
    },
  });
  const ctx = {
    dry: false,
    plan,
    machines: machinesOf(plan),
    log: () => undefined,
    local: () => undefined,
    vm: () => Promise.resolve({ exitCode: 0, stdout: ADMIN_CONF, stderr: '' }),
    waitFor: async <T>(what: string, probe: () => Promise<T | undefined>, options: { timeoutMs: number; intervalMs: number }) => {
      for (let waited = 0; waited <= options.timeoutMs; waited += options.intervalMs) {
        const answer = await probe();
        if (answer !== undefined) return answer;
      }
      throw new AppError('TIMEOUT', `Gave up waiting for ${what}.`);
    },
  } as unknown as StepContext;
  return { save: () => steps.saveKubeconfig(ctx), verifications: () => verified, imported };
}

describe('the kubeconfig step', () => {
  it('asks again while the endpoint drops connections (HAProxy still counting a fresh control plane down)', async () => {
    const closed = new AppError('UNREACHABLE', 'The connection to https://127.0.0.1:16443 was closed unexpectedly.');
    const step = saveWith([closed, closed, 'v1.20.2']);
    expect(await step.save()).toEqual({ status: 'done', detail: 'Saved as context "lab1" (Kubernetes v1.20.2).' });
    expect(step.verifications()).toBe(3);
    expect(step.imported).toHaveLength(1);
  });

  it('gives up after a minute with the last connection error and the fix', async () => {
    const step = saveWith([]);
    await expect(step.save()).rejects.toMatchObject({
      code: 'UNREACHABLE',
      message: expect.stringMatching(/^The lab's kubeconfig does not connect to https:\/\/.+: no more answers$/) as string,
      details: { fix: expect.any(String) as string },
    });
    expect(step.verifications()).toBe(31);
    expect(step.imported).toHaveLength(0);
  });

  it('does not ask again when the server answers but refuses the credentials', async () => {
    const step = saveWith([new AppError('UNAUTHORIZED', 'The server refused the client certificate.'), 'v1.20.2']);
    await expect(step.save()).rejects.toMatchObject({
      code: 'UNREACHABLE',
      message: expect.stringContaining('refused the client certificate') as string,
    });
    expect(step.verifications()).toBe(1);
  });
});
