import { describe, expect, it } from 'vitest';
import { parseKubeconfigText } from './kubeconfig-parse';

const problems = (text: string) => {
  const parsed = parseKubeconfigText(text, 'test.yaml');
  if (parsed.ok) throw new Error('expected problems');
  return parsed.problems.map((problem) => problem.message);
};

describe('parseKubeconfigText', () => {
  it('reads a minimal kubeconfig, with kubectl field names', () => {
    const parsed = parseKubeconfigText(
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "https://10.0.0.1:6443", insecure-skip-tls-verify: true}}]',
        'users: [{name: u, user: {tokenFile: /var/run/token}}]',
        'contexts: [{name: x, context: {cluster: c, user: u, namespace: apps}}]',
        'current-context: x',
      ].join('\n'),
      'test.yaml',
    );
    expect(parsed).toMatchObject({
      ok: true,
      value: {
        currentContext: 'x',
        clusters: [{ name: 'c', cluster: { 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'u', user: { tokenFile: '/var/run/token' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'apps' } }],
      },
    });
  });

  it('keeps auth-provider config keys that are object keys in JavaScript (__proto__, constructor) as keys', () => {
    const parsed = parseKubeconfigText(
      [
        'clusters: [{name: c, cluster: {server: "https://10.0.0.1:6443"}}]',
        'users: [{name: u, user: {auth-provider: {name: oidc, config: {__proto__: p, constructor: c, id-token: t}}}}]',
        'contexts: [{name: x, context: {cluster: c, user: u}}]',
      ].join('\n'),
      'test.yaml',
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const config = parsed.value.users[0]?.user['auth-provider']?.config ?? {};
    expect(Object.entries(config)).toEqual([
      ['__proto__', 'p'],
      ['constructor', 'c'],
      ['id-token', 't'],
    ]);
    // A key the file does not have is absent, not inherited.
    expect(config.toString).toBeUndefined();
    expect(problems('users: [{name: u, user: {auth-provider: {name: oidc, config: {id-token: [1]}}}}]')).toEqual([
      'user "u": auth-provider.config.id-token: Invalid input: expected string, received array',
    ]);
  });

  it('names entries by their name in shape problems, all at once', () => {
    expect(
      problems(
        [
          'clusters: [{name: c, cluster: {server: 42}}, {cluster: {server: "https://x"}}]',
          'users: [{name: u, user: {exec: {command: aws}}}]',
          'contexts: [{name: x, context: {user: u}}]',
        ].join('\n'),
      ),
    ).toEqual([
      'cluster "c": server: Invalid input: expected string, received number',
      'clusters[1]: name: Invalid input: expected string, received undefined',
      'user "u": exec.apiVersion: Invalid input: expected string, received undefined',
      'context "x": cluster: Invalid input: expected string, received undefined',
    ]);
  });

  it('refuses duplicate names in one file, unknown exec API versions, and exec with auth-provider', () => {
    expect(
      problems(
        [
          'clusters: [{name: c, cluster: {server: "https://a"}}, {name: c, cluster: {server: "https://b"}}]',
          'users: [{name: u, user: {exec: {command: x, apiVersion: v9}, auth-provider: {name: oidc}}}]',
          'contexts: []',
        ].join('\n'),
      ),
    ).toEqual([
      'cluster "c" is defined twice in this file.',
      'user "u": exec apiVersion "v9" is not one of client.authentication.k8s.io/v1, client.authentication.k8s.io/v1beta1, client.authentication.k8s.io/v1alpha1.',
      'user "u" has both exec and auth-provider; kubectl refuses that too. Keep one.',
    ]);
  });

  it('refuses several YAML documents and duplicate keys, with positions', () => {
    expect(problems('clusters: []\n---\nusers: []\n')).toEqual(['The file holds 2 YAML documents; a kubeconfig is one.']);
    const parsed = parseKubeconfigText('clusters: []\nclusters: []\n', 'dup.yaml');
    expect(parsed.ok === false && parsed.problems[0]).toMatchObject({ source: 'dup.yaml', line: 2, column: 1 });
  });
});
