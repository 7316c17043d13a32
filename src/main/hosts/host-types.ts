import type { SerializedError } from '../../shared/errors';
import type { PreflightReport } from './preflight/preflight-types';
import type { ConnectionStateChange } from './ssh-connection';

/** How Nestlab authenticates to a host. Secrets in here go to the secret store, never to disk. */
export type HostAuthInput =
  | { kind: 'agent' }
  | { kind: 'keyFile'; path: string; passphrase?: string }
  | { kind: 'pastedKey'; privateKey: string; passphrase?: string }
  | { kind: 'password'; password: string };

/** The add-host form. */
export interface HostInput {
  name: string;
  address: string;
  /** Default 22. */
  port?: number;
  user: string;
  /** Default 'linux'. */
  os?: 'linux' | 'windows';
  auth: HostAuthInput;
  /** Saved for sudo on hosts whose sudo asks for a password (Linux). */
  sudoPassword?: string;
  /** Reach this host through another inventory host. */
  jumpHostId?: string;
  /** Linux: where lab VM disks go. Default /var/lib/libvirt/images. */
  storagePath?: string;
}

/** A change to a host; `sudoPassword: null` removes the saved one. */
export type HostPatch = Partial<Omit<HostInput, 'sudoPassword' | 'jumpHostId'>> & {
  sudoPassword?: string | null;
  jumpHostId?: string | null;
};

/** What the renderer sees of a host: no secret, only whether one is saved. Plain JSON. */
export interface HostSummary {
  id: string;
  name: string;
  address: string;
  port: number;
  user: string;
  os: 'linux' | 'windows';
  auth: { kind: HostAuthInput['kind']; keyPath?: string };
  hasPassword: boolean;
  hasPassphrase: boolean;
  hasPrivateKey: boolean;
  hasSudoPassword: boolean;
  jumpHostId?: string;
  storagePath: string;
  /** The accepted host key, if any. */
  hostKey?: { keyType: string; fingerprint: string; acceptedAt: string };
  createdAt: string;
  updatedAt: string;
}

/**
 * A connection test is an expected outcome the add-host form branches on, so it is a value.
 * On first contact the error is HOST_KEY_UNKNOWN with details {keyType, fingerprint}.
 */
export type ConnectionTestResult =
  { ok: true; durationMs: number; hostKey: { keyType: string; fingerprint: string } } | { ok: false; error: SerializedError };

/** Progress of a preflight probe, for the hosts view. */
export interface ProbeProgress {
  hostId: string;
  phase: 'connecting' | 'probing' | 'evaluating' | 'done' | 'failed';
  report?: PreflightReport;
  error?: SerializedError;
}

export type { ConnectionStateChange };
