/**
 * Builds every service. Both composition roots (the Electron entry and the browser-mode
 * server) call this and bind the result to their transport; nothing else wires services.
 */
import { join } from 'node:path';
import type { RuntimeMode, Services } from '../shared/contract';
import { AppsService } from './apps/apps-service';
import { defaultCatalogDir } from './apps/catalog-location';
import { ClustersService } from './clusters/clusters-service';
import { HostsService } from './hosts/hosts-service';
import { LabHosts } from './hosts/lab-hosts';
import { describeSecretStorage } from './hosts/secret-storage-info';
import { BlueGreenService } from './labs/day2/blue-green-service';
import { LabsService } from './labs/labs-service';
import { KubectlShelfService } from './kubectl/kubectl-shelf';
import { runProgram } from './platform/run-program';
import { labTunnels } from './pods/lab-tunnels';
import { PodsService } from './pods/pods-service';
import { MemorySecretStore } from './secrets/memory-secret-store';
import type { SecretStore } from './secrets/secret-store';
import { SettingsService } from './settings/settings-service';
import { SystemService } from './system/system-service';
import { TerminalsService } from './terminals/terminals-service';
import { TopologyService } from './topology/topology-service';

export interface ServiceOptions {
  mode: RuntimeMode;
  appVersion: string;
  /** Folder for settings and other state. */
  dataDir: string;
  /** resources/bin of a packaged app (bundled kubectl), if any. */
  bundledBinDir?: string;
  /** Where credentials (kubeconfig tokens, host passwords and keys) are kept, one store for every service; default: in memory (browser mode). */
  secrets?: SecretStore;
  /** resources/catalog (the app catalog). Default: <repo>/resources/catalog, right for dev and browser mode. */
  catalogDir?: string;
}

/** The services, plus what a composition root calls when the app quits. */
export interface AppServices extends Services {
  /** Ends what must not outlive the app (terminal shells and their children). */
  dispose(): Promise<void>;
}

export async function createServices(options: ServiceOptions): Promise<AppServices> {
  const secrets = options.secrets ?? new MemorySecretStore();
  const labHosts = await LabHosts.create({ dataDir: options.dataDir, secrets });
  const hosts = new HostsService(labHosts, () => describeSecretStorage(secrets));
  const clusters = new ClustersService({ dataDir: options.dataDir, secrets });
  // The kubectl versions terminals choose from (bundled, added in Settings, PATH); never downloaded.
  const kubectlShelf = new KubectlShelfService({
    bundledDir: options.bundledBinDir,
    shelfDir: join(options.dataDir, 'kubectl'),
    run: runProgram,
  });
  // Terminals get each context's kubeconfig (secrets included) from the imported contexts, and the kubectl for its server.
  const terminals = new TerminalsService({
    locateKubectl: () => kubectlShelf.defaultKubectl(),
    kubectlForServer: (server) => kubectlShelf.forServer(server),
    sshShells: labHosts,
    kubeconfigs: clusters,
  });
  // The topology reads clusters through the contexts imported in the Clusters view.
  const topology = new TopologyService({ provider: clusters });
  // A lab's LoadBalancer addresses are on the lab host's network: tunnels go through that host.
  const tunnels = labTunnels({ list: () => labs.list() }, labHosts);
  // Pods, logs, events and port-forwards use the same imported contexts.
  const pods = new PodsService({ provider: clusters, labTunnels: tunnels });
  const settings = new SettingsService(options.dataDir);
  // Apps deploy to the contexts imported in the Clusters view; images follow the mirror in Settings.
  const apps = new AppsService({
    catalogDir: options.catalogDir ?? defaultCatalogDir(import.meta.url),
    provider: clusters,
    registryMirror: async () => (await settings.get()).values.registryMirror,
    labHostOf: (context) => tunnels.hostOf(context),
  });
  // Labs provision VMs on inventory hosts and save their kubeconfigs into the clusters.
  const labs = new LabsService({ dataDir: options.dataDir, hosts: labHosts, clusters });
  // Blue/green labs: a green copy made by labs, blue's apps installed by apps, a front door on the lab host.
  const blueGreen = new BlueGreenService({ dataDir: options.dataDir, labs, apps, hosts: labHosts });
  return {
    system: new SystemService({
      appName: 'Nestlab',
      appVersion: options.appVersion,
      mode: options.mode,
      kubectl: kubectlShelf,
    }),
    settings,
    clusters,
    terminals,
    hosts,
    topology,
    apps,
    labs,
    blueGreen,
    pods,
    dispose: async () => {
      blueGreen.dispose();
      labs.dispose();
      apps.dispose();
      hosts.dispose();
      topology.dispose();
      clusters.dispose();
      await Promise.all([pods.dispose(), terminals.dispose()]);
    },
  };
}
