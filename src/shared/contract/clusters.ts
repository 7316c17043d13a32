import type { Event } from '../event';
import type { SerializedError } from '../errors';
import { domainNames } from './names';

/** How a kubeconfig user authenticates. */
export type ClusterAuthKind = 'token' | 'token-file' | 'client-certificate' | 'basic' | 'exec' | 'auth-provider' | 'none';

/**
 * A credential plugin (kubeconfig `exec`, or an `auth-provider` with a `cmd-path`), shown verbatim.
 * It never runs until the user approves this exact command, args and env (`approvalKey`).
 */
export interface CredentialPlugin {
  kind: 'exec' | 'auth-provider';
  /** auth-provider name (gcp, azure, oidc...); absent for exec. */
  providerName?: string;
  command: string;
  args: string[];
  /**
   * Variables it gets. `value` is absent for secret ones (kept in the secret store, masked); it is
   * shown for those that decide what runs (PATH, LD_PRELOAD, NODE_OPTIONS...).
   */
  env: { name: string; value?: string }[];
  /** exec: client.authentication.k8s.io version the plugin speaks. */
  apiVersion?: string;
  /** exec: the kubeconfig's hint on how to install the plugin. */
  installHint?: string;
  /** SHA-256 of command, args and env: an approval covers exactly this. */
  approvalKey: string;
  approved: boolean;
}

/** What Nestlab knows about a context's credentials. Never a secret: only whether one is stored. */
export interface ClusterAuthSummary {
  kind: ClusterAuthKind;
  hasToken: boolean;
  hasClientKey: boolean;
  hasPassword: boolean;
  /** Basic auth user name, when the kubeconfig has one. */
  username?: string;
  plugin?: CredentialPlugin;
}

/** Linux / Windows node counts (label kubernetes.io/os). */
export interface NodeCounts {
  total: number;
  ready: number;
  linux: number;
  windows: number;
  other: number;
}

/** Who Nestlab talks to the cluster as. 1.20 has no SelfSubjectReview, so the name is the kubeconfig's. */
export interface ClusterIdentity {
  /** The kubeconfig user entry's name (or the basic-auth / certificate user when known). */
  user: string;
  /** SelfSubjectAccessReview: may this identity list nodes? */
  canListNodes: boolean;
}

/**
 * The outcome of one connection test: a value, not a throw. A failure carries a diagnosis
 * (error.code, and details.cause / details.fix for the UI).
 */
export type ConnectionTestResult =
  | {
      ok: true;
      checkedAt: string;
      durationMs: number;
      /** gitVersion from /version, e.g. v1.20.2. */
      version: string;
      platform: string;
      /** Node counts, or why they could not be read (FORBIDDEN for a user without list nodes). */
      nodes: NodeCounts | { error: SerializedError };
      identity: ClusterIdentity;
    }
  | { ok: false; checkedAt: string; durationMs: number; error: SerializedError };

/** One imported context, with its cluster and user, and its last health check. */
export interface ClusterContext {
  name: string;
  clusterName: string;
  userName: string;
  namespace?: string;
  /** https URL of the API server. */
  server: string;
  /** Where it was imported from (a path, or the name of pasted text). */
  source: string;
  /**
   * Imported from a file (an absolute path): whether that file is there now, so it can be read
   * again. Absent for pasted text, which cannot.
   */
  sourceExists?: boolean;
  importedAt: string;
  hasCertificateAuthority: boolean;
  /** insecure-skip-tls-verify is set in the kubeconfig: a permanent warning. Nestlab never sets it. */
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  auth: ClusterAuthSummary;
  /** Files outside the imported folder that are read only at connect time (token-file, certificates). */
  externalFiles: string[];
  /** The user allowed reading `externalFiles` (allowExternalFiles); nothing connects before that. */
  externalFilesAllowed: boolean;
  /** The last check; `checking` while one runs. */
  health: { checking: boolean; result?: ConnectionTestResult };
}

export interface ClustersState {
  contexts: ClusterContext[];
  /** The context other views use; switching it is instant. */
  activeContext?: string;
}

/** Where kubeconfig text comes from. */
export type KubeconfigSource =
  /** Files merged with kubectl's rules, like KUBECONFIG=a:b. */
  | { kind: 'files'; paths: string[] }
  /** Text the user picked in a file picker or pasted; `label` names it (a file name). No folder to resolve relative paths. */
  | { kind: 'text'; text: string; label: string }
  /** $KUBECONFIG, or ~/.kube/config. */
  | { kind: 'default' };

export type NameKind = 'context' | 'cluster' | 'user';

/**
 * A context that a clash choice would change: where it would connect and whose credentials it
 * would send there. Credentials are bound to the servers (URL, CA, TLS server name) they were
 * imported with; `otherServer` marks a choice that would send them to another one.
 */
export interface AffectedContext {
  context: string;
  /** The API server it would connect to. */
  server: string;
  /** The user entry (credentials) it would use, and where those credentials came from. */
  user: string;
  credentialsFrom: string;
  /** An existing context whose server or credentials change; false: a context this import adds. */
  existing: boolean;
  /** The credentials were not imported with this server: the choice needs `confirmOtherServer`. */
  otherServer: boolean;
}

/** Two entries with the same name and different content: the user decides. */
export interface NameClash {
  kind: NameKind;
  name: string;
  /** The source of the entry being imported. */
  incomingSource: string;
  /** Where the entry with this name already is: Nestlab's store, or an earlier file of this import. */
  existingSource: string;
  /**
   * What "replace" and "keep the existing one" would change (other clashes taken as renamed).
   * Renaming changes no existing context and binds no credentials to another server.
   */
  effects: { replace: AffectedContext[]; 'keep-existing': AffectedContext[] };
}

/**
 * How the user resolved a clash. keep-existing is kubectl's rule (the first definition wins).
 * `confirmOtherServer`: the user saw which credentials would go to which other server and agreed;
 * without it such a choice is refused (CONFIRMATION_REQUIRED) and nothing is stored.
 */
export type ClashResolution =
  | { kind: NameKind; name: string; action: 'rename'; newName: string }
  | { kind: NameKind; name: string; action: 'replace' | 'keep-existing'; confirmOtherServer?: boolean };

export type ImportResult =
  | {
      status: 'imported';
      /** Context names added or replaced by this import. */
      imported: string[];
      /** Things the user should know (paths read later, entries kept from an earlier file). */
      notices: string[];
      state: ClustersState;
    }
  /** Nothing was stored: resolve every clash and import again with the resolutions. */
  | { status: 'needs-resolution'; clashes: NameClash[]; contexts: string[] };

/** A problem in a kubeconfig, in INVALID_INPUT's details.problems. */
export interface KubeconfigProblem {
  source: string;
  message: string;
  line?: number;
  column?: number;
}

/** The contexts that $KUBECONFIG / ~/.kube/config offer, for a one-click import. */
export interface DefaultKubeconfig {
  paths: string[];
  contexts: { name: string; server: string }[];
  currentContext?: string;
  /** Why the files could not be read or parsed, if so. */
  problem?: SerializedError;
}

export interface ExportOptions {
  /** Target file; default ~/.kube/config. */
  path?: string;
  /** Overwrite entries with the same names and different content. */
  replace?: boolean;
}

export type ExportResult =
  | { status: 'written'; path: string; backupPath?: string }
  /** Nothing was written: the target has different entries with these names. Export again with replace. */
  | { status: 'conflict'; path: string; conflicts: { kind: NameKind; name: string }[] };

/** A node as the clusters view lists it. */
export interface ClusterNode {
  name: string;
  os: string;
  ready: boolean;
  roles: string[];
  kubeletVersion: string;
}

/** Kubeconfig contexts: import, health, diagnosis, credential-plugin approval, export. */
export interface ClustersService {
  /** Every imported context with its last health check, and the active context. */
  list(): Promise<ClustersState>;
  /** What $KUBECONFIG / ~/.kube/config offer (read and validated, nothing imported). */
  defaultKubeconfig(): Promise<DefaultKubeconfig>;
  /**
   * Validate and import. Bad input throws INVALID_INPUT with details.problems (every problem at
   * once) and changes nothing. Name clashes come back as `needs-resolution`, nothing stored.
   * Credential plugins never run here.
   */
  importKubeconfig(source: KubeconfigSource, resolutions: ClashResolution[]): Promise<ImportResult>;
  /** Remove a context, and its cluster, user and secrets when nothing else uses them. */
  remove(context: string): Promise<ClustersState>;
  /** Make a context the active one; instant, the health check follows in the background. */
  setActive(context: string): Promise<ClustersState>;
  /** Check one context now; resolves with the new state. */
  refresh(context: string): Promise<ClustersState>;
  /** Check every context now (also done on a slow timer); resolves with the new state. */
  refreshAll(): Promise<ClustersState>;
  /** One connection test as a value: version, nodes and identity, or the diagnosis. */
  testConnection(context: string): Promise<ConnectionTestResult>;
  /** The nodes of a context's cluster. */
  listNodes(context: string): Promise<ClusterNode[]>;
  /** Approve the context's credential plugin; `approvalKey` must match the command shown. */
  approvePlugin(context: string, approvalKey: string): Promise<ClustersState>;
  /** Withdraw the approval of the context's credential plugin. */
  revokePlugin(context: string): Promise<ClustersState>;
  /**
   * Allow a context to read the files outside its kubeconfig's folder that it names (a token
   * file, certificates); `paths` must be exactly the context's externalFiles as shown.
   */
  allowExternalFiles(context: string, paths: string[]): Promise<ClustersState>;
  /** Write one context into ~/.kube/config or a chosen file: merged, atomic, previous file backed up. */
  exportContext(context: string, options: ExportOptions): Promise<ExportResult>;
  /** Fires after imports, removals, switches and every health check. */
  onDidChange: Event<ClustersState>;
}

export const clustersNames = domainNames<ClustersService>()({
  methods: [
    'list',
    'defaultKubeconfig',
    'importKubeconfig',
    'remove',
    'setActive',
    'refresh',
    'refreshAll',
    'testConnection',
    'listNodes',
    'approvePlugin',
    'revokePlugin',
    'allowExternalFiles',
    'exportContext',
  ],
  events: ['onDidChange'],
});
