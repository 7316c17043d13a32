import { describe, expect, it } from 'vitest';
import { approvalKeyOf, pluginOf } from './credential-plugins';

const exec = {
  command: 'aws',
  args: ['eks', 'get-token'],
  env: [{ name: 'AWS_PROFILE', value: 'lab' }],
  apiVersion: 'client.authentication.k8s.io/v1beta1',
};

describe('credential plugins', () => {
  it('keys an approval by command, args and env, and by the context and server: any change needs a new approval', () => {
    const scope = { context: 'lab', endpoint: 'https://10.0.0.1:6443 ca-sha256:aa' };
    const key = approvalKeyOf(pluginOf({ exec })!, scope);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(approvalKeyOf(pluginOf({ exec: { ...exec, args: ['eks', 'get-token', '--role', 'admin'] } })!, scope)).not.toBe(key);
    expect(approvalKeyOf(pluginOf({ exec: { ...exec, env: [{ name: 'AWS_PROFILE', value: 'prod' }] } })!, scope)).not.toBe(key);
    expect(approvalKeyOf(pluginOf({ exec: { ...exec, command: '/usr/local/bin/aws' } })!, scope)).not.toBe(key);
    expect(approvalKeyOf(pluginOf({ exec: { ...exec, installHint: 'changed hint' } })!, scope)).toBe(key);
    // The same exec block in someone else's kubeconfig: another context, or another server or CA.
    expect(approvalKeyOf(pluginOf({ exec })!, { ...scope, context: 'other' })).not.toBe(key);
    expect(approvalKeyOf(pluginOf({ exec })!, { ...scope, endpoint: 'https://attacker:6443 ca-sha256:aa' })).not.toBe(key);
    expect(approvalKeyOf(pluginOf({ exec })!, { ...scope, endpoint: 'https://10.0.0.1:6443 ca-sha256:bb' })).not.toBe(key);
  });

  it('treats an auth-provider with cmd-path as a command, and one without as none', () => {
    expect(
      pluginOf({
        authProvider: { name: 'gcp', publicConfig: { 'cmd-path': '/usr/bin/gcloud', 'cmd-args': 'config config-helper --format=json' } },
      }),
    ).toEqual({
      kind: 'auth-provider',
      providerName: 'gcp',
      command: '/usr/bin/gcloud',
      args: ['config', 'config-helper', '--format=json'],
      env: [],
    });
    expect(pluginOf({ authProvider: { name: 'oidc', publicConfig: {} } })).toBeUndefined();
  });
});
