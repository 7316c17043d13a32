/**
 * A lab's bundle step (issue 22): the offline bundle built by npm run bundle's builder is checked
 * against its manifest on this computer (a changed file stops the step before a byte reaches the
 * host), copied to the lab host over SFTP on the host's shared connection with the step's
 * progress, cut half way by a dropped link, resumed by the lab's Resume without sending the first
 * half again, and checked on the host with sha256sum -c. The lab host is a real sshd (stand-in
 * libvirt, a network namespace of its own); the lab is cancelled once the bundle is on the host:
 * the copy into the VMs and the install are the real-VM tier's (tests/integration/real-vms).
 */
import { link, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../../src/main/offline-kit/bundle-builder';
import type { BundleManifest } from '../../../src/main/offline-kit/bundle-manifest';
import type { LabSummary } from '../../../src/shared/contract/labs';
import { CRICTL_STAND_IN, nodeBinDir, nodeImagesDir } from '../../harness/real-vms/node-bundle';
import { startLabFixture, type LabFixture } from '../labs/lab-fixture';
import { tempDir } from '../../harness/temp-dir';

let lab: LabFixture;
let work: string;
let bundle: string;
let manifest: BundleManifest;

beforeAll(async () => {
  work = await tempDir('lab-bundle');
  const images = join(work, 'images-in');
  await mkdir(images);
  for (const archive of ['pause.tar', 'kube-proxy.tar']) await link(join(nodeImagesDir(), archive), join(images, archive));
  bundle = join(work, 'bundle');
  [manifest, lab] = await Promise.all([
    buildBundle({ kubernetesVersion: '1.20.2', nodeBinDir: nodeBinDir(), imagesDir: images, tools: { crictl: CRICTL_STAND_IN } }, bundle),
    // A namespace of its own: whatever the lab does after its bundle step stays there.
    startLabFixture({ ownNetwork: true }),
  ]);
}, 300_000);

afterAll(async () => {
  await lab?.stop();
});

const bundleStep = (summary: LabSummary) => summary.operation?.steps.find((step) => step.id === 'bundle');
const HOST_COPY = '.nestlab/labs/offline/bundle';

describe("a lab's offline bundle step (REAL sshd and SFTP; SIMULATION: stand-in libvirt)", () => {
  it('refuses a changed bundle before copying, copies over SFTP with progress, resumes a dropped copy, and the host checks it', async () => {
    const plan = lab.plan('offline', 1, {
      kubernetesVersion: '1.20.2',
      windowsWorkers: 0,
      linuxWorkers: 0,
      offlineBundle: bundle,
      apiEndpoint: await lab.servedEndpoint('offline', 1),
    });

    // 1. A file changed since the bundle was built: the step fails naming it, and nothing is on the host.
    const crictl = join(bundle, 'bin', 'crictl');
    const original = await readFile(crictl);
    await writeFile(crictl, Buffer.concat([original, Buffer.from('\n# changed\n')]));
    expect((await lab.labs.create(plan)).status).toBe('started');
    const refused = await lab.settled('offline');
    expect(refused.status).toBe('failed');
    expect(bundleStep(refused)?.status).toBe('failed');
    expect(refused.operation?.error).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(
        /^The offline bundle file bin\/crictl has \d+ bytes where the manifest says \d+: the bundle was changed/,
      ) as string,
    });
    expect(await lab.onHost(`test -e ${HOST_COPY} && echo there || echo absent`)).toBe('absent\n');
    await writeFile(crictl, original);

    // 2. Resumed, and the link dropped once the copy is half way: the step fails as a dropped connection.
    const total = Object.values(manifest.files).reduce((sum, file) => sum + file.size, 0);
    const fractions: number[] = [];
    let dropped = false;
    const watching = lab.labs.onDidChangeLab((summary) => {
      const step = summary.name === 'offline' ? bundleStep(summary) : undefined;
      if (step?.status !== 'running') return;
      fractions.push(step.progress);
      // 0.25 of the step is the manifest check here; the copy is the rest.
      if (!dropped && step.progress >= 0.6) {
        dropped = true;
        lab.proxy.dropAll();
      }
    });
    try {
      await lab.labs.resume('offline');
      const cut = await lab.settled('offline');
      expect(dropped).toBe(true);
      expect(cut.status).toBe('failed');
      expect(cut.operation?.error).toMatchObject({
        code: 'SSH_DISCONNECTED',
        message: expect.stringMatching(/what arrived is kept and the copy resumes/) as string,
      });
    } finally {
      watching.dispose();
    }
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));

    // 3. Resume: what arrived is kept; once the bundle is on the host (checked there), the lab is cancelled.
    const done = new Promise<LabSummary>((resolve) => {
      const subscription = lab.labs.onDidChangeLab((summary) => {
        if (summary.name !== 'offline' || bundleStep(summary)?.status !== 'done') return;
        subscription.dispose();
        resolve(summary);
      });
    });
    await lab.labs.resume('offline');
    const copied = await done;
    await lab.labs.cancel('offline');
    expect((await lab.settled('offline')).status).toBe('cancelled');
    const detail = bundleStep(copied)?.detail ?? '';
    const match = /^(\d+) files, ([\d.]+) MiB sent, ([\d.]+) MiB kept from an earlier copy$/.exec(detail);
    expect(match, detail).not.toBeNull();
    expect(Number(match?.[1])).toBe(Object.keys(manifest.files).length + 2);
    // At least the half before the drop was kept, not sent again.
    expect(Number(match?.[3]) * 1_048_576).toBeGreaterThanOrEqual(total * 0.4);
    expect(Number(match?.[2]) * 1_048_576).toBeLessThan(total * 0.65);
    const logs = await lab.labs.logs('offline', { limit: 200 });
    expect(logs.filter((line) => line.stepId === 'bundle' && line.stream === 'command').map((line) => line.text)).toContain(
      `sftp ${bundle} -> ${HOST_COPY} (every file checked against manifest.json first)`,
    );
    expect(await lab.onHost(`cd ${HOST_COPY} && sha256sum -c --quiet SHA256SUMS && find . -name '*.nestlab-part' | wc -l`)).toBe('0\n');

    // 4. Deleting the lab removes its copy of the bundle from the host.
    await lab.labs.remove('offline');
    await lab.labs.whenSettled('offline');
    expect((await lab.labs.list()).map((summary) => summary.name)).not.toContain('offline');
    expect(await lab.onHost(`test -e ${HOST_COPY} && echo there || echo absent`)).toBe('absent\n');
  }, 600_000);
});
