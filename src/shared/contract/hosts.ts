import type { Event } from '../event';
import type { SerializedError } from '../errors';
import { domainNames } from './names';

/** How Nestlab authenticates to a host. Secrets in here go to the secret store, never to disk or back to the renderer. */
export type HostAuthInput =
  | { kind: 'agent' }
  | { kind: 'keyFile'; path: string; passphrase?: string }
  | { kind: 'pastedKey'; privateKey: string; passphrase?: string }
  | { kind: 'password'; password: string };

export type HostOs = 'linux' | 'windows';

/** The add-host form. */
export interface HostInput {
  name: string;
  address: string;
  /** Default 22. */
  port?: number;
  user: string;
  /** Default 'linux'. */
  os?: HostOs;
  auth: HostAuthInput;
  /** Saved for sudo on hosts whose sudo asks for a password (Linux). */
  sudoPassword?: string;
  /** Reach this host through another inventory host. */
  jumpHostId?: string;
  /** Linux: where lab VM disks go. Default /var/lib/libvirt/images. */
  storagePath?: string;
}

/** A change to a host; `sudoPassword: null` removes the saved one, `jumpHostId: null` connects directly. */
export type HostPatch = Partial<Omit<HostInput, 'sudoPassword' | 'jumpHostId'>> & {
  sudoPassword?: string | null;
  jumpHostId?: string | null;
};

/** A host key as shown to the user: `ssh-ed25519` and `SHA256:...` (as `ssh-keygen -lf` prints it). */
export interface PresentedHostKey {
  keyType: string;
  fingerprint: string;
}

/** What the renderer sees of a host: no secret, only whether one is saved. Plain JSON. */
export interface HostSummary {
  id: string;
  name: string;
  address: string;
  port: number;
  user: string;
  os: HostOs;
  auth: { kind: HostAuthInput['kind']; keyPath?: string };
  hasPassword: boolean;
  hasPassphrase: boolean;
  hasPrivateKey: boolean;
  hasSudoPassword: boolean;
  jumpHostId?: string;
  storagePath: string;
  /** The accepted host key, if any. */
  hostKey?: PresentedHostKey & { acceptedAt: string };
  createdAt: string;
  updatedAt: string;
}

/**
 * A connection test is an expected outcome the add-host form branches on, so it is a value.
 * First contact: error.code HOST_KEY_UNKNOWN with details {keyType, fingerprint}, nothing ran.
 * A changed key: HOST_KEY_CHANGED with details {keyType, expected, presented}, nothing was sent.
 */
export type HostConnectionTestResult = { ok: true; durationMs: number; hostKey: PresentedHostKey } | { ok: false; error: SerializedError };

/** Connection lifecycle, as shown in the hosts view. */
export type ConnectionState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closed';

/** Payload of onDidChangeConnection: plain JSON. */
export interface ConnectionStateChange {
  hostId: string;
  state: ConnectionState;
  /** Why the last attempt failed or the link dropped (no secrets). */
  error?: { code: string; message: string };
  /** Delay before the next automatic attempt, when reconnecting. */
  retryInMs?: number;
}

/** Outcome of one preflight check. */
export type CheckStatus = 'pass' | 'warn' | 'fail';

/** One line of the preflight report, as the hosts view shows it. Plain JSON. */
export interface PreflightCheck {
  /** Stable id, e.g. "cpu-virtualization", for tests and docs links. */
  id: string;
  title: string;
  status: CheckStatus;
  /** What was found, in words. */
  detail: string;
  /** What to do about a warn or fail (a command to run where there is one). */
  fix?: string;
}

/** What a lab plan can use on this host. */
export interface HostCapacity {
  hypervisor: 'kvm' | 'hyperv';
  cpus: number;
  memoryMiB: number;
  memoryAvailableMiB: number;
  diskFreeGiB: number;
  /** Where VM disks go (Linux: the libvirt pool path; Windows: the VM path). */
  storagePath: string;
  /** VMs on this host can run hypervisors themselves (nested virtualization works). */
  nestedVirtualization: boolean;
}

/** The whole preflight result for one host. Plain JSON. */
export interface PreflightReport {
  os: HostOs;
  /** The worst status among the checks. */
  status: CheckStatus;
  checks: PreflightCheck[];
  capacity: HostCapacity;
  /** ISO time of the probe. */
  probedAt: string;
}

/** Progress of a preflight probe, for the hosts view. */
export interface ProbeProgress {
  hostId: string;
  phase: 'connecting' | 'probing' | 'evaluating' | 'done' | 'failed';
  report?: PreflightReport;
  error?: SerializedError;
}

/**
 * Where host passwords and key passphrases are kept, for the banner of the hosts view.
 * - 'os-encryption': the desktop app, Electron safeStorage (keychain, DPAPI, libsecret/kwallet).
 * - 'passphrase': browser mode with NESTLAB_SECRETS_PASSPHRASE_FILE (scrypt + AES-GCM file).
 * - 'memory': browser mode without a passphrase; kept until the server stops.
 */
export interface SecretStorageInfo {
  backend: 'os-encryption' | 'passphrase' | 'memory';
  /** The OS mechanism behind 'os-encryption' (gnome_libsecret, kwallet5, dpapi, keychain, basic_text...). */
  osBackend?: string;
  /** Secrets survive a restart of the app or server. */
  persistent: boolean;
  /** Saving a secret works now; false: adding a password host fails with SECRET_STORAGE_UNAVAILABLE. */
  canStore: boolean;
  /** What the user should know, in words (absent when nothing needs saying). */
  warning?: string;
}

/**
 * Lab hosts over SSH: the inventory, host-key trust on first use, saved secrets and the
 * preflight probe. Nothing returned or fired carries a secret (`hasPassword: true`, never the
 * password). Secrets are write-only: they go in with add/update and never come back.
 */
export interface HostsService {
  /** Every host of the inventory. */
  list(): Promise<HostSummary[]>;
  /** One host; NOT_FOUND when it was removed. */
  get(hostId: string): Promise<HostSummary>;
  /**
   * Add a host; nothing connects yet. INVALID_ARGUMENT with details.field for a refused field,
   * ALREADY_EXISTS for a taken name, SECRET_STORAGE_UNAVAILABLE when a secret cannot be kept safely.
   */
  add(input: HostInput): Promise<HostSummary>;
  /** Change a host; a new address, port, user or sign-in drops its open connection. */
  update(hostId: string, patch: HostPatch): Promise<HostSummary>;
  /** Remove a host, its saved secrets and its accepted host key. */
  remove(hostId: string): Promise<void>;
  /** Connect (or reuse the connection) and run `:`. First contact runs nothing: HOST_KEY_UNKNOWN. */
  testConnection(hostId: string): Promise<HostConnectionTestResult>;
  /** The key the host presents right now, without trusting it (no credential is offered). */
  scanHostKey(hostId: string): Promise<PresentedHostKey>;
  /**
   * Trust the host key with this fingerprint. Stored only if the host presents exactly it now;
   * HOST_KEY_CHANGED when another key is already accepted (forget it first).
   */
  acceptHostKey(hostId: string, fingerprint: string): Promise<HostSummary>;
  /** The explicit "Forget this host key": the next connection is a first contact again. */
  forgetHostKey(hostId: string): Promise<HostSummary>;
  /**
   * Replace a missing or corrupt host-key store (HOST_KEY_STORE_CORRUPT) with an empty one: every
   * host is then at first contact and its key must be checked and accepted again.
   */
  resetHostKeyStore(): Promise<void>;
  /** Probe the host over one connection and grade it; progress via onDidProbeProgress. CANCELLED after cancelProbe. */
  probe(hostId: string): Promise<PreflightReport>;
  /** Cancel the host's probe in flight (nothing happens when none runs). */
  cancelProbe(hostId: string): Promise<void>;
  /** Where secrets are kept and whether they survive a restart. */
  secretStorage(): Promise<SecretStorageInfo>;
  /** The inventory changed (added, edited, removed, host key accepted or forgotten). */
  onDidChangeHosts: Event<HostSummary[]>;
  /** A host's connection changed state. */
  onDidChangeConnection: Event<ConnectionStateChange>;
  /** A probe moved to its next phase; the last event carries the report or the error. */
  onDidProbeProgress: Event<ProbeProgress>;
}

export const hostsNames = domainNames<HostsService>()({
  methods: [
    'list',
    'get',
    'add',
    'update',
    'remove',
    'testConnection',
    'scanHostKey',
    'acceptHostKey',
    'forgetHostKey',
    'resetHostKeyStore',
    'probe',
    'cancelProbe',
    'secretStorage',
  ],
  events: ['onDidChangeHosts', 'onDidChangeConnection', 'onDidProbeProgress'],
});
