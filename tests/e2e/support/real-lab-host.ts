import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { guestImagePath, requireRealVmArtifacts } from '../../harness/real-vms/node-bundle';
import { testHostSshArgs } from '../../harness/ssh/host-port-relay';
import { realLibvirtHost } from '../../harness/ssh/profiles';
import { requireRealLibvirt } from '../../harness/ssh/real-libvirt';
import { startTestHost, type TestHost } from '../../harness/ssh/test-host';
import { tempDir } from '../../harness/temp-dir';
import type { AppPage } from '../pages/app-page';
import type { LabsPage } from '../pages/labs-page';
import { startBrowserModeServer, type BrowserModeServer } from './browser-mode-server';
import { launchChromium } from './chromium';
import { openLabsWithHost } from './lab-host-setup';

const run = promisify(execFile);

/** libvirt's default storage folder on the host, where the driver keeps each lab's disks. */
export const STORAGE = '/var/lib/libvirt/images';
/** Where the user put the cloud image the lab's VMs boot from (here: the guest image npm test built). */
export const BASE_IMAGE = `${STORAGE}/nestlab-base/debian-12-nestlab.qcow2`;

/** What the real-VM Labs e2e starts: a REAL libvirt host with the guest image on it, browser mode and Chromium. */
export interface RealLabHostSetup {
  host: TestHost;
  dataDir: string;
  browser: Browser;
  server: BrowserModeServer;
  context: BrowserContext;
  /** A shell command on the host as its test user, over OpenSSH's own client (test set-up and checks, not what is under test). */
  onHost(command: string, timeoutMs?: number): Promise<string>;
  /** `virsh -c qemu:///system ...` on the host: what libvirt itself has, whatever Nestlab says. */
  virsh(...args: string[]): Promise<string>;
  /** A new page on browser mode, connected, with the host added and its key trusted in the Hosts view, on the Labs view. */
  openLabs(hostName: string): Promise<{ app: AppPage; labs: LabsPage }>;
  stop(): Promise<void>;
}

/**
 * A lab host with the REAL libvirt stack (libvirtd, QEMU in software emulation, dnsmasq,
 * cloud-localds in the host's own namespaces; docs/HARNESS.md, "Real libvirt host"), the guest
 * image copied where a user puts a cloud image, then browser mode on a fresh data folder and a
 * Chromium context. Throws naming what to install or build when this machine cannot run it.
 */
export async function startRealLabHost(options: { dataDirPrefix: string }): Promise<RealLabHostSetup> {
  requireRealLibvirt();
  requireRealVmArtifacts();
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const next of stops.splice(0).reverse()) await next();
  };
  try {
    // The disk check counts every VM's whole disk (thin-provisioned): a tmpfs limit of 40 GiB, used far less.
    const host = await startTestHost({ simulation: { ...realLibvirtHost, diskGiB: 40 }, realLibvirt: true });
    stops.push(() => host.stop());
    const onHost = async (command: string, timeoutMs = 60_000): Promise<string> => {
      const { stdout } = await run('ssh', [...testHostSshArgs(host), command], { timeout: timeoutMs });
      return stdout;
    };
    // The user's step before a first lab: a cloud image on the host (root's, as a user copies it there with sudo).
    await onHost(`sudo mkdir -p ${dirname(BASE_IMAGE)} && sudo cp ${guestImagePath()} ${BASE_IMAGE}`, 180_000);
    const dataDir = await tempDir(options.dataDirPrefix);
    // Browser mode offers $KUBECONFIG's contexts: give it none of this machine's.
    process.env.KUBECONFIG = join(dataDir, 'no-kubeconfig');
    const browser = await launchChromium();
    stops.push(() => browser.close());
    const server = await startBrowserModeServer(dataDir);
    stops.push(() => server.stop());
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, colorScheme: 'light' });
    stops.push(() => context.close());
    return {
      host,
      dataDir,
      browser,
      server,
      context,
      onHost,
      virsh: (...args: string[]) => onHost(`virsh -c qemu:///system ${args.join(' ')}`),
      openLabs: (hostName: string) =>
        openLabsWithHost(context, server.url, {
          name: hostName,
          address: '127.0.0.1',
          port: String(host.port),
          user: host.user,
          password: host.password,
        }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Records, from the page itself, each step's statuses in the order the open lab showed them and
 * every value of the overall progress bar (a test polling from outside can miss a short state).
 */
export async function recordSteps(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const seen = { steps: {}, progress: [] };
    window.__labSteps = seen;
    const look = () => {
      for (const row of document.querySelectorAll('#lab-detail tr[data-step][data-status]')) {
        const list = (seen.steps[row.getAttribute('data-step')] ??= []);
        const status = row.getAttribute('data-status');
        if (list[list.length - 1] !== status) list.push(status);
      }
      const bar = document.querySelector('#lab-detail .lab-operation [role="progressbar"]');
      const value = bar === null ? NaN : Number(bar.getAttribute('aria-valuenow'));
      if (!Number.isNaN(value) && seen.progress[seen.progress.length - 1] !== value) seen.progress.push(value);
    };
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
  })()`);
}

export async function recordedSteps(page: Page): Promise<{ steps: Record<string, string[]>; progress: number[] }> {
  return await page.evaluate<{ steps: Record<string, string[]>; progress: number[] }>('window.__labSteps');
}
