/**
 * A first control plane that hands out a hostile admin kubeconfig (root on a lab VM controls that
 * file). The stand-in kubeadm copies the test's admin.conf as the one it "wrote"; the SSH session,
 * the fetch, the verification against the real API server and the import are real. Nestlab must
 * take only the embedded CA, certificate and key from it: an exec plugin never runs on this
 * computer, and a tokenFile is never read.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAdminConf } from '../../harness/labs/kubeadm-admin-conf';
import { startLabFixture } from './lab-fixture';
import type { LabFixture } from './lab-fixture';
import { tempDir } from '../../harness/temp-dir';

let lab: LabFixture;
let scratch: string;

beforeAll(async () => {
  lab = await startLabFixture();
  scratch = await tempDir('hostile');
}, 180_000);

afterAll(async () => {
  await lab?.stop();
});

/** The admin.conf on the lab's first control plane (the stand-in VM's own file). */
const vmAdminConf = () => join(lab.host.simDir, 'vms', 'evil-cp1', 'etc', 'kubernetes', 'admin.conf');

describe('a hostile admin.conf on the first control plane (SIMULATION: stand-in VM, real API server)', () => {
  it(
    'never runs its exec plugin or reads its tokenFile here; the genuine file then saves a working context',
    { timeout: 180_000 },
    async () => {
      const canary = join(scratch, 'exec-plugin-ran');
      // A plugin that would leave a file on this computer, beside the genuine certificate and key.
      const hostile = renderAdminConf(lab.controlPlane.server, lab.adminCredentials, {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: '/bin/sh',
          args: [
            '-c',
            `touch '${canary}'; echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"x"}}'`,
          ],
        },
      });
      await writeFile(join(lab.host.simDir, 'cluster', 'admin.conf'), hostile);

      await lab.labs.create(lab.plan('evil', 1, { linuxWorkers: 0 }));
      const failed = await lab.settled('evil');
      expect(failed.status).toBe('failed');
      const step = failed.operation?.steps.find((candidate) => candidate.id === 'kubeconfig');
      expect(step?.status).toBe('failed');
      expect(step?.error?.code).toBe('INVALID_INPUT');
      expect(step?.error?.message).toContain('user field "exec" (it would run a program on this computer)');
      expect(existsSync(canary)).toBe(false);
      expect(await lab.clusters.contextNames()).not.toContain('evil');

      // A tokenFile naming a file on this computer: refused before anything reads it.
      const secretFile = join(scratch, 'local-secret');
      await writeFile(secretFile, 'CANARY-LOCAL-SECRET\n', { mode: 0o600 });
      await writeFile(vmAdminConf(), renderAdminConf(lab.controlPlane.server, lab.adminCredentials, { tokenFile: secretFile }));
      await lab.labs.resume('evil');
      const again = await lab.settled('evil');
      expect(again.status).toBe('failed');
      expect(again.operation?.steps.find((candidate) => candidate.id === 'kubeconfig')?.error?.message).toContain(
        'user field "tokenFile" (it names a file on this computer)',
      );
      expect(await lab.clusters.contextNames()).not.toContain('evil');

      // The genuine admin.conf: the context is saved and works with the embedded certificate.
      await writeFile(vmAdminConf(), renderAdminConf(lab.controlPlane.server, lab.adminCredentials));
      await lab.labs.resume('evil');
      const done = await lab.settled('evil');
      expect(done.operation?.error).toBeUndefined();
      expect(done.status).toBe('ready');
      expect((await lab.clusters.listNodes('evil')).map((node) => node.name)).toContain('evil-cp1');
      expect(existsSync(canary)).toBe(false);
      expect(JSON.stringify(await lab.labs.logs('evil', { limit: 5000 }))).not.toContain('CANARY-LOCAL-SECRET');
    },
  );
});
