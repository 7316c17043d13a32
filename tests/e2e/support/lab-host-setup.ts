import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext } from 'playwright-core';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from '../../harness/control-plane';
import { startHypervisorBridge, type HypervisorBridge } from '../../harness/labs/hypervisor-bridge';
import { kubeadmAdminCredentials, renderAdminConf } from '../../harness/labs/kubeadm-admin-conf';
import { simulations } from '../../harness/ssh/profiles';
import { SIMULATED_BASE_IMAGES } from '../../harness/ssh/simulated-host-files';
import { startTestHost, type TestHost, type TestHostOptions } from '../../harness/ssh/test-host';
import { AppPage } from '../pages/app-page';
import { HostsPage, type HostFormValues } from '../pages/hosts-page';
import { LabsPage } from '../pages/labs-page';
import { startBrowserModeServer, type BrowserModeServer } from './browser-mode-server';
import { launchChromium } from './chromium';

const run = promisify(execFile);

export interface LabHostSetupOptions {
  /** The lab host user's password (a canary: it must never show in the page). */
  password: string;
  /** Prefix of the browser-mode data folder in the temp folder. */
  dataDirPrefix: string;
  controlPlane?: ControlPlaneOptions;
  host?: Partial<TestHostOptions>;
}

/** What the Labs e2e tests start: a real control plane, a stand-in libvirt host, browser mode and Chromium. */
export interface LabHostSetup {
  controlPlane: ControlPlane;
  host: TestHost;
  bridge: HypervisorBridge;
  dataDir: string;
  browser: Browser;
  server: BrowserModeServer;
  context: BrowserContext;
  /** A new page on browser mode, connected, with the lab host added as "kvm-lab" (its key trusted), on the Labs view. */
  openLabs(): Promise<{ app: AppPage; labs: LabsPage }>;
  stop(): Promise<void>;
}

/** A new page on browser mode, connected, with the host added in the Hosts view (its key trusted), on the Labs view. */
export async function openLabsWithHost(
  context: BrowserContext,
  url: string,
  host: HostFormValues,
): Promise<{ app: AppPage; labs: LabsPage }> {
  const app = new AppPage(await context.newPage());
  await app.open(url);
  await app.waitConnected();
  await app.openView('Hosts');
  await new HostsPage(app.page).addTrusted(host);
  await app.openView('Labs');
  return { app, labs: new LabsPage(app.page) };
}

/**
 * A nested-virtualization lab host (real sshd, stand-in virsh: SIMULATION, see
 * tests/e2e/labs.test.ts) whose stand-in kubeadm hands out the real control plane's admin.conf,
 * with the Linux base image on it and the hypervisor bridge that makes its VMs simulated nodes;
 * then browser mode on a fresh data folder and a Chromium context for it.
 */
export async function startLabHostSetup(options: LabHostSetupOptions): Promise<LabHostSetup> {
  const [controlPlane, host] = await Promise.all([
    startControlPlane(options.controlPlane),
    startTestHost({ simulation: simulations.nestedOn, password: options.password, ...options.host }),
  ]);
  await mkdir(join(host.simDir, 'cluster'), { recursive: true, mode: 0o755 });
  await writeFile(
    join(host.simDir, 'cluster', 'admin.conf'),
    renderAdminConf(controlPlane.server, await kubeadmAdminCredentials(controlPlane)),
    {
      mode: 0o644,
    },
  );
  // The Linux base image on the host (test setup over OpenSSH's own client, not what is under test).
  await run('ssh', [
    ...['-i', host.clientKey.path, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null'],
    ...['-o', 'LogLevel=ERROR', '-p', String(host.port), `${host.user}@127.0.0.1`],
    `mkdir -p ${dirname(SIMULATED_BASE_IMAGES.linux)} && echo SIMULATED > ${SIMULATED_BASE_IMAGES.linux}`,
  ]);
  const bridge = startHypervisorBridge(host.simDir, controlPlane.simulation);
  const dataDir = await mkdtemp(join(tmpdir(), options.dataDirPrefix));
  process.env.KUBECONFIG = join(dataDir, 'no-kubeconfig');
  const browser = await launchChromium();
  const server = await startBrowserModeServer(dataDir);
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, colorScheme: 'light' });
  return {
    controlPlane,
    host,
    bridge,
    dataDir,
    browser,
    server,
    context,
    openLabs: () =>
      openLabsWithHost(context, server.url, {
        name: 'kvm-lab',
        address: '127.0.0.1',
        port: String(host.port),
        user: host.user,
        password: options.password,
      }),
    async stop() {
      await context.close();
      await server.stop();
      await browser.close();
      await bridge.stop();
      await Promise.all([host.stop(), controlPlane.stop()]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
