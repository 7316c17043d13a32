import type { KubectlStatus, RuntimeMode, SystemInfo, SystemService } from '../../shared/contract';

export interface SystemServiceOptions {
  appName: string;
  appVersion: string;
  mode: RuntimeMode;
  locateKubectl: () => Promise<KubectlStatus>;
}

export class NodeSystemService implements SystemService {
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
      kubectl: await this.options.locateKubectl(),
    };
  }
}
