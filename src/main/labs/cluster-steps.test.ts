import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { ImportResult } from '../../shared/contract/clusters';
import { AppError } from '../../shared/errors';
import type { ConnectionTarget } from '../kube/connection-target';
import { createClusterSteps } from './cluster-steps';
import type { ClusterStepOptions } from './cluster-steps';
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

/** The kubeconfig step with a verify that answers the given outcomes in turn (and records each target), and an optional route. */
function saveWith(outcomes: (string | AppError)[], route?: ClusterStepOptions['route']) {
  const plan = testPlan({ linuxWorkers: 0, windowsWorkers: 0, apiEndpoint: { ...testPlan().apiEndpoint, hostPort: 16443 } });
  const targets: ConnectionTarget[] = [];
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
    hostAddress: '10.0.0.5',
    context: plan.name,
    ownsContext: () => true,
    onSaved: () => undefined,
    drainTimeoutMs: 1000,
    verify: (target) => {
      const outcome = outcomes[targets.length] ?? new AppError('UNREACHABLE', 'no more answers');
      targets.push(target);
      return typeof outcome === 'string' ? Promise.resolve(outcome) : Promise.reject(outcome);
    },
    ...(route === undefined ? {} : { route }),
  });
  const ctx = {
    dry: false,
    plan,
    machines: machinesOf(plan),
    log: () => undefined,
    local: () => undefined,
    vm: () => Promise.resolve({ exitCode: 0, stdout: ADMIN_CONF, stderr: '' }),
  } as unknown as StepContext;
  return { save: () => steps.saveKubeconfig(ctx), targets, imported };
}

describe('the kubeconfig step', () => {
  it("connects once through the lab host's port and saves that server (HAProxy serves a fresh control plane at once)", async () => {
    const step = saveWith(['v1.20.2']);
    expect(await step.save()).toEqual({ status: 'done', detail: 'Saved as context "lab1" (Kubernetes v1.20.2).' });
    expect(step.targets.map((target) => [target.server, target.tlsServerName])).toEqual([['https://10.0.0.5:16443', undefined]]);
    const cluster = (parse(step.imported[0]!) as { clusters: { cluster: Record<string, string> }[] }).clusters[0]!.cluster;
    expect(cluster.server).toBe('https://10.0.0.5:16443');
    expect(cluster['tls-server-name']).toBeUndefined();
  });

  it('a dropped connection fails the step with the cause and the fix (it is not asked again)', async () => {
    const closed = new AppError('UNREACHABLE', 'The connection to https://10.0.0.5:16443 was closed unexpectedly.');
    const step = saveWith([closed, 'v1.20.2']);
    await expect(step.save()).rejects.toMatchObject({
      code: 'UNREACHABLE',
      message:
        "The lab's kubeconfig does not connect to https://10.0.0.5:16443: The connection to https://10.0.0.5:16443 was closed unexpectedly.",
      details: { fix: expect.stringContaining('port 16443 of the lab host') as string },
    });
    expect(step.targets).toHaveLength(1);
    expect(step.imported).toHaveLength(0);
  });

  it('through an SSH tunnel: the kubeconfig names 127.0.0.1 and checks the certificate against the endpoint name', async () => {
    const asked: { host: string; port: number }[] = [];
    const step = saveWith(['v1.20.2'], (_ctx, server) => {
      asked.push(server);
      return Promise.resolve({ host: '127.0.0.1', port: 40123, tlsServerName: 'lab1-api.lab.internal' });
    });
    await step.save();
    expect(asked).toEqual([{ host: '10.0.0.5', port: 16443 }]);
    expect(step.targets.map((target) => [target.server, target.tlsServerName])).toEqual([
      ['https://127.0.0.1:40123', 'lab1-api.lab.internal'],
    ]);
    const cluster = (parse(step.imported[0]!) as { clusters: { cluster: Record<string, string> }[] }).clusters[0]!.cluster;
    expect(cluster.server).toBe('https://127.0.0.1:40123');
    expect(cluster['tls-server-name']).toBe('lab1-api.lab.internal');
  });

  it('does not ask again when the server answers but refuses the credentials', async () => {
    const step = saveWith([new AppError('UNAUTHORIZED', 'The server refused the client certificate.'), 'v1.20.2']);
    await expect(step.save()).rejects.toMatchObject({
      code: 'UNREACHABLE',
      message: expect.stringContaining('refused the client certificate') as string,
    });
    expect(step.targets).toHaveLength(1);
  });
});
