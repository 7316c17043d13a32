/**
 * A @kubernetes/client-node KubeConfig for one imported context: what src/main/kube builds its
 * requests from (and terminals' exec). Credentials are resolved by Nestlab first (secrets, files
 * read at connect time, an approved plugin run with Nestlab's time limit): the KubeConfig holds
 * only a token, a client certificate or a password, never a plugin or a file path, so nothing
 * built from it runs a plugin or reads a file.
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { ConnectionTarget } from './kube-http';

const base64 = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');

export function toKubeConfig(context: string, namespace: string | undefined, target: ConnectionTarget): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [
      {
        name: context,
        server: target.server,
        skipTLSVerify: target.insecureSkipTlsVerify,
        ...(target.ca === undefined ? {} : { caData: base64(target.ca) }),
        ...(target.tlsServerName === undefined ? {} : { tlsServerName: target.tlsServerName }),
        ...(target.proxyUrl === undefined ? {} : { proxyUrl: target.proxyUrl }),
      },
    ],
    users: [
      {
        name: context,
        ...(target.token === undefined ? {} : { token: target.token }),
        ...(target.cert === undefined || target.key === undefined ? {} : { certData: base64(target.cert), keyData: base64(target.key) }),
        ...(target.username === undefined ? {} : { username: target.username, password: target.password }),
      },
    ],
    contexts: [{ name: context, cluster: context, user: context, ...(namespace === undefined ? {} : { namespace }) }],
    currentContext: context,
  });
  return config;
}
