/**
 * A @kubernetes/client-node KubeConfig for one imported context, for services built on client-node
 * (topology, apps). Credentials are resolved by Nestlab first (secrets, files read at connect time,
 * an approved plugin run with Nestlab's time limit), so client-node never runs a plugin itself.
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
