import { domainNames } from './names';

/** How the renderer reaches the main process. */
export type RuntimeMode = 'electron' | 'browser';

/** Which kubectl Nestlab uses in terminals, and why. Nestlab never downloads kubectl. */
export type KubectlStatus =
  | {
      available: true;
      /** Absolute path of the binary. */
      path: string;
      /** Where it came from: bundled with the packaged app, or found on PATH. */
      source: 'bundled' | 'path';
      /** Client version as kubectl reports it, e.g. "v1.32.3". */
      version: string;
    }
  | {
      available: false;
      /** Why not, and what to do about it. */
      reason: string;
    };

/** Facts about the running app. */
export interface SystemInfo {
  appName: string;
  appVersion: string;
  mode: RuntimeMode;
  /** Node's process.platform of the main process (linux, win32, darwin). */
  platform: string;
  arch: string;
  /** Versions of the runtime pieces (node, and electron/chrome when in Electron). */
  versions: Record<string, string>;
  kubectl: KubectlStatus;
}

/** App-level facts: version, runtime mode, kubectl availability. */
export interface SystemService {
  /** Facts about the running app; kubectl is looked up again on every call. */
  info(): Promise<SystemInfo>;
}

export const systemNames = domainNames<SystemService>()({ methods: ['info'], events: [] });
