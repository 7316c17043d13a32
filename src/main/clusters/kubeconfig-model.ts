/**
 * Nestlab's normalized view of kubeconfig entries (camelCase, paths absolute, embedded data as PEM
 * text). Secrets (token, client key, password, auth-provider config) are fields here and are split
 * out into the secret store only by the cluster store.
 */
import type { KubeconfigProblem } from '../../shared/contract/clusters';

export interface ClusterEntry {
  server: string;
  /** PEM of the CA, embedded (from certificate-authority-data or a file inside the imported folder). */
  caData?: string;
  /** Absolute path of a CA file outside the imported folder: read at connect time. */
  caFile?: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
}

export interface ExecPluginConfig {
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  apiVersion: string;
  installHint?: string;
  provideClusterInfo?: boolean;
}

export interface UserEntry {
  token?: string;
  /** Absolute path read at connect time. */
  tokenFile?: string;
  clientCertData?: string;
  clientCertFile?: string;
  clientKeyData?: string;
  clientKeyFile?: string;
  username?: string;
  password?: string;
  exec?: ExecPluginConfig;
  authProvider?: { name: string; config: Record<string, string> };
}

export interface ContextEntry {
  cluster: string;
  /** Empty for a context without a user (anonymous). */
  user: string;
  namespace?: string;
}

/** One kubeconfig file after parsing and resolving its paths. Entries keep file order. */
export interface ResolvedKubeconfig {
  source: string;
  clusters: [string, ClusterEntry][];
  users: [string, UserEntry][];
  contexts: [string, ContextEntry][];
  currentContext?: string;
  /** What the user should know about this file (paths read later, warnings). */
  notices: string[];
  /** Names of entries left out for a bad shape: a reference to one is not reported as undefined too. */
  invalidNames?: { clusters: string[]; users: string[]; contexts: string[] };
}

/** An outcome that either has a value or lists every problem found. */
export type Checked<T> = { ok: true; value: T } | { ok: false; problems: KubeconfigProblem[]; partial?: T };

/** Supported exec credential API versions (client.authentication.k8s.io). */
export const execApiVersions = [
  'client.authentication.k8s.io/v1',
  'client.authentication.k8s.io/v1beta1',
  'client.authentication.k8s.io/v1alpha1',
] as const;
