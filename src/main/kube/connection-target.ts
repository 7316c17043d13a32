/**
 * One API server as one identity, with credentials Nestlab resolved itself (the clusters service:
 * secrets, files read at connect time, an approved plugin run with Nestlab's time limit; a lab:
 * the certificates fetched from its control plane), and the client-node KubeConfig every request
 * of src/main/kube is built from. The KubeConfig holds only a token, a client certificate or a
 * password, never a plugin or a file path, so nothing built from it runs a plugin or reads a file.
 */
import { KubeConfig } from '@kubernetes/client-node';

/** Everything needed to talk to one API server as one identity. Main-process only: holds secrets. */
export interface ConnectionTarget {
  server: string;
  /** PEM; absent means the system's trusted CAs. */
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
  username?: string;
  password?: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  /** The kubeconfig's proxy-url: connections tunnel through it (HTTP CONNECT, or SOCKS). */
  proxyUrl?: string;
}

const base64 = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');

/** A KubeConfig whose one context, `context`, is `target`. */
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
