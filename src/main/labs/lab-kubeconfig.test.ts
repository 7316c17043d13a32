import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { rewriteKubeconfig } from './kubeconfig-rewrite';

const kubeadmAdmin = `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: Q0EtREFUQQ==
    server: https://192.168.150.101:6443
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: kubernetes-admin
  name: kubernetes-admin@kubernetes
current-context: kubernetes-admin@kubernetes
users:
- name: kubernetes-admin
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
`;

describe('rewriteKubeconfig', () => {
  it('points the server at the stable endpoint and names cluster, user and context after the lab', () => {
    const rewritten = parse(rewriteKubeconfig(kubeadmAdmin, 'lab1', { host: 'lab1-api.lab.internal', port: 6443 })) as Record<
      string,
      unknown
    >;
    expect(rewritten).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'lab1', cluster: { 'certificate-authority-data': 'Q0EtREFUQQ==', server: 'https://lab1-api.lab.internal:6443' } }],
      users: [{ name: 'lab1', user: { 'client-certificate-data': 'Q0VSVA==', 'client-key-data': 'S0VZ' } }],
      contexts: [{ name: 'lab1', context: { cluster: 'lab1', user: 'lab1' } }],
      'current-context': 'lab1',
      preferences: {},
    });
  });

  it('refuses text that is not a single-cluster kubeconfig', () => {
    expect(() => rewriteKubeconfig('clusters: [', 'lab1', { host: 'x', port: 6443 })).toThrow(/not YAML/);
    expect(() => rewriteKubeconfig('apiVersion: v1\nclusters: []\n', 'lab1', { host: 'x', port: 6443 })).toThrow(/exactly one cluster/);
  });
});
