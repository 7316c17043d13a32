import { domainNames } from './names';

/** How the renderer reaches the main process. */
export type RuntimeMode = 'electron' | 'browser';

/** Where a kubectl on the shelf came from. */
export type KubectlSource = 'bundled' | 'added' | 'path';

/** Which kubectl Nestlab uses in terminals, and why. Nestlab never downloads kubectl. */
export type KubectlStatus =
  | {
      available: true;
      /** Absolute path of the binary. */
      path: string;
      /** Where it came from: bundled with the packaged app, added to the shelf by the user, or found on PATH. */
      source: KubectlSource;
      /** Client version as kubectl reports it, e.g. "v1.32.3". */
      version: string;
    }
  | {
      available: false;
      /** Why not, and what to do about it. */
      reason: string;
    };

/** One kubectl on the shelf, as `kubectl version --client -o json` reported it. */
export interface KubectlShelfEntry {
  /** Absolute path of the binary (also its identity on the shelf). */
  path: string;
  source: KubectlSource;
  /** Client version as kubectl reports it, e.g. "v1.20.2". */
  version: string;
  /** Minor version, e.g. 20: a terminal gets a kubectl within one minor version of its server. */
  minor: number;
  /** The platform kubectl was built for, e.g. "linux/amd64", when it says. */
  platform?: string;
}

/** The kubectl versions Nestlab can give terminals (it never downloads one). */
export interface KubectlShelf {
  /** Bundled first, then added, then PATH; newest first within each. The first is the default. */
  entries: KubectlShelfEntry[];
  /** Binaries where a kubectl was expected that did not run, and why. */
  problems: { path: string; reason: string }[];
}

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

/** App-level facts: version, runtime mode, kubectl availability, the kubectl shelf. */
export interface SystemService {
  /** Facts about the running app; kubectl is looked up again on every call. */
  info(): Promise<SystemInfo>;
  /** Every kubectl Nestlab can give a terminal: bundled with the app, added by the user, on PATH. */
  kubectlShelf(): Promise<KubectlShelf>;
  /**
   * Adds a kubectl to the shelf from a file on this computer (or an offline bundle folder holding
   * one, in bin/kubectl or kubectl), after it ran `kubectl version --client -o json`: a copy is kept
   * in Nestlab's data folder. A file that is not a kubectl for this computer is refused
   * (INVALID_INPUT) naming it; the same version already added is ALREADY_EXISTS.
   */
  addKubectl(path: string): Promise<KubectlShelf>;
  /** Removes a kubectl the user added (bundled and PATH ones cannot be removed: INVALID_INPUT). */
  removeKubectl(path: string): Promise<KubectlShelf>;
}

export const systemNames = domainNames<SystemService>()({ methods: ['info', 'kubectlShelf', 'addKubectl', 'removeKubectl'], events: [] });
