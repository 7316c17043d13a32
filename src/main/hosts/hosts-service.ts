import type { HostsService as HostsContract, SecretStorageInfo } from '../../shared/contract/hosts';
import type { LabHosts } from './lab-hosts';

/**
 * The hosts domain as the contract offers it to the renderer: the core service's methods, plus
 * cancellation of a probe by host id (an AbortSignal cannot cross a process boundary) and the
 * secret-storage status. Other main-process services (terminals, labs) use the core directly.
 */
export class HostsService implements HostsContract {
  readonly onDidChangeHosts: HostsContract['onDidChangeHosts'];
  readonly onDidChangeConnection: HostsContract['onDidChangeConnection'];
  readonly onDidProbeProgress: HostsContract['onDidProbeProgress'];
  /** hostId -> the controller of its probe in flight. */
  private readonly probes = new Map<string, AbortController>();

  constructor(
    private readonly core: LabHosts,
    private readonly secretStorageInfo: () => SecretStorageInfo,
  ) {
    this.onDidChangeHosts = core.onDidChangeHosts;
    this.onDidChangeConnection = core.onDidChangeConnection;
    this.onDidProbeProgress = core.onDidProbeProgress;
  }

  list = () => this.core.list();
  get = (hostId: string) => this.core.get(hostId);
  add: HostsContract['add'] = (input) => this.core.add(input);
  update: HostsContract['update'] = (hostId, patch) => this.core.update(hostId, patch);
  remove = (hostId: string) => this.core.remove(hostId);
  testConnection = (hostId: string) => this.core.testConnection(hostId);
  scanHostKey = (hostId: string) => this.core.scanHostKey(hostId);
  acceptHostKey = (hostId: string, fingerprint: string) => this.core.acceptHostKey(hostId, fingerprint);
  forgetHostKey = (hostId: string) => this.core.forgetHostKey(hostId);
  resetHostKeyStore = () => this.core.resetHostKeyStore();

  /** A second probe of the same host cancels the first (the view shows one at a time). */
  async probe(hostId: string) {
    this.probes.get(hostId)?.abort();
    const controller = new AbortController();
    this.probes.set(hostId, controller);
    try {
      return await this.core.probe(hostId, controller.signal);
    } finally {
      if (this.probes.get(hostId) === controller) this.probes.delete(hostId);
    }
  }

  cancelProbe(hostId: string): Promise<void> {
    this.probes.get(hostId)?.abort();
    this.probes.delete(hostId);
    return Promise.resolve();
  }

  secretStorage(): Promise<SecretStorageInfo> {
    return Promise.resolve(this.secretStorageInfo());
  }

  /** Cancels probes in flight and closes every connection (app shutdown). */
  dispose(): void {
    for (const controller of this.probes.values()) controller.abort();
    this.probes.clear();
    this.core.dispose();
  }
}
