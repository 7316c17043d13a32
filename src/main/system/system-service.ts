import type { KubectlShelf, KubectlStatus, RuntimeMode, SystemInfo, SystemService as SystemContract } from '../../shared/contract';

/** What the system service reads the kubectl shelf through (KubectlShelfService). */
export interface KubectlShelfAccess {
  defaultKubectl(): Promise<KubectlStatus>;
  list(): Promise<KubectlShelf>;
  add(path: string): Promise<KubectlShelf>;
  remove(path: string): Promise<KubectlShelf>;
}

export interface SystemServiceOptions {
  appName: string;
  appVersion: string;
  mode: RuntimeMode;
  kubectl: KubectlShelfAccess;
}

export class SystemService implements SystemContract {
  constructor(private readonly options: SystemServiceOptions) {}

  async info(): Promise<SystemInfo> {
    const versions: Record<string, string> = { node: process.versions.node };
    for (const key of ['electron', 'chrome', 'v8'] as const) {
      const version = process.versions[key];
      if (version) versions[key] = version;
    }
    return {
      appName: this.options.appName,
      appVersion: this.options.appVersion,
      mode: this.options.mode,
      platform: process.platform,
      arch: process.arch,
      versions,
      kubectl: await this.options.kubectl.defaultKubectl(),
    };
  }

  kubectlShelf(): Promise<KubectlShelf> {
    return this.options.kubectl.list();
  }

  addKubectl(path: string): Promise<KubectlShelf> {
    return this.options.kubectl.add(path);
  }

  removeKubectl(path: string): Promise<KubectlShelf> {
    return this.options.kubectl.remove(path);
  }
}
