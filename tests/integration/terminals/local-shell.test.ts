/**
 * Local shells against the real control plane: kubectl bound to one context, private
 * kubeconfig files, resize, exit status, no orphans, kubectl missing.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../../src/main/terminals/process-session';
import { spawnPty, type SpawnPty } from '../../../src/main/terminals/spawn-pty';
import { labNodeSpecs, startControlPlane, startSimulatedNodes, type ControlPlane, type SimulatedNodes } from '../../harness/index.js';
import { connectTerminals, harnessKubeconfigs } from './harness-services';
import { tempDir } from '../../harness/temp-dir';

let controlPlane: ControlPlane;
let simulation: SimulatedNodes;
let shellTempDir: string;
let link: ReturnType<typeof connectTerminals>;
const bash = { file: '/bin/bash', args: ['--norc', '--noprofile'] };

beforeAll(async () => {
  controlPlane = await startControlPlane();
  simulation = await startSimulatedNodes(controlPlane.simulation, { nodes: labNodeSpecs() });
  shellTempDir = await tempDir('terminals');
});
afterAll(async () => {
  await simulation?.stop();
  await controlPlane?.stop();
});
afterEach(async () => {
  await link?.dispose();
});

describe('local shell terminals', () => {
  it('runs kubectl against the chosen context and removes its private kubeconfig on close', async () => {
    link = connectTerminals({ kubeconfigs: harnessKubeconfigs(controlPlane), tempDir: shellTempDir, shell: bash });
    const { client, api } = link;
    const tab = await client.open({ kind: 'local', context: 'lab-admin' });
    expect(tab.kubectl).toMatchObject({ available: true });
    expect(tab.title).toBe('kubectl: lab-admin');

    const nodes = await client.run(tab.id, 'kubectl get nodes --no-headers -o custom-columns=NAME:.metadata.name');
    expect(nodes.trim().split('\n').sort()).toEqual(['sim-control-plane-1', 'sim-linux-1', 'sim-linux-2', 'sim-windows-1']);
    expect((await client.run(tab.id, 'kubectl config get-contexts -o name')).trim()).toBe('lab-admin');

    const kubeconfigPath = (await client.run(tab.id, 'echo "$KUBECONFIG"')).trim();
    expect(kubeconfigPath.startsWith(shellTempDir)).toBe(true);
    expect((await stat(kubeconfigPath)).mode & 0o777).toBe(0o600);
    // kubectl comes first on PATH from where the locator found it.
    if (tab.kubectl?.available) expect((await client.run(tab.id, 'command -v kubectl')).trim()).toBe(tab.kubectl.path);

    await api.terminals.close(tab.id);
    expect(existsSync(kubeconfigPath)).toBe(false);
    expect(await api.terminals.list()).toEqual([]);
  });

  it('keeps two tabs on two contexts apart', async () => {
    link = connectTerminals({ kubeconfigs: harnessKubeconfigs(controlPlane), tempDir: shellTempDir, shell: bash });
    const { client } = link;
    const [admin, viewer] = await Promise.all([
      client.open({ kind: 'local', context: 'lab-admin' }),
      client.open({ kind: 'local', context: 'lab-viewer' }),
    ]);
    const [adminPath, viewerPath] = await Promise.all([
      client.run(admin.id, 'echo "$KUBECONFIG"'),
      client.run(viewer.id, 'echo "$KUBECONFIG"'),
    ]);
    expect(adminPath.trim()).not.toBe(viewerPath.trim());
    expect((await client.run(admin.id, 'kubectl config current-context')).trim()).toBe('lab-admin');
    expect((await client.run(viewer.id, 'kubectl config current-context')).trim()).toBe('lab-viewer');
    // The identities differ too: only the admin may create pods.
    expect((await client.run(admin.id, 'kubectl auth can-i create pods')).trim()).toBe('yes');
    expect((await client.run(viewer.id, 'kubectl auth can-i create pods 2>/dev/null')).trim()).toBe('no');
  });

  it('passes resizes to the pty', async () => {
    link = connectTerminals({ shell: bash });
    const { client, api } = link;
    const tab = await client.open({ kind: 'local' }, { cols: 80, rows: 24 });
    expect((await client.run(tab.id, 'stty size')).trim()).toBe('24 80');
    await api.terminals.resize(tab.id, { cols: 132, rows: 43 });
    expect((await client.run(tab.id, 'stty size')).trim()).toBe('43 132');
  });

  it('shows the exit status of a shell that exits, and keeps the tab until it is closed', async () => {
    link = connectTerminals({ shell: bash });
    const { client, api } = link;
    const tab = await client.open({ kind: 'local' });
    await api.terminals.write(tab.id, 'exit 7\r');
    expect(await client.waitForExit(tab.id)).toEqual({ exitCode: 7 });
    expect((await api.terminals.list())[0]).toMatchObject({ id: tab.id, state: 'exited', exit: { exitCode: 7 } });
    await api.terminals.close(tab.id);
    expect(await api.terminals.list()).toEqual([]);
  });

  it('starts the user login shell by default', async () => {
    link = connectTerminals({ env: { ...process.env, SHELL: '/bin/sh' } });
    const { client } = link;
    const tab = await client.open({ kind: 'local' });
    expect((await client.run(tab.id, 'echo "$0 $NESTLAB_TERMINAL $TERM"')).trim()).toBe('/bin/sh 1 xterm-256color');
  });

  it('leaves no process behind when a tab is closed, background jobs included', async () => {
    link = connectTerminals({ shell: bash });
    const { client, api } = link;
    const tab = await client.open({ kind: 'local' });
    const shellPid = Number((await client.run(tab.id, 'echo $$')).trim());
    const jobPid = lastNumber(await client.run(tab.id, 'sleep 600 & echo $!'));
    const ignoringPid = lastNumber(await client.run(tab.id, 'sh -c \'trap "" HUP; exec sleep 601\' & echo $!'));
    await api.terminals.write(tab.id, 'sleep 602\r');
    for (const pid of [shellPid, jobPid, ignoringPid]) expect(isAlive(pid), `pid ${pid}`).toBe(true);

    await api.terminals.close(tab.id);
    for (const pid of [shellPid, jobPid, ignoringPid]) expect(isAlive(pid), `pid ${pid}`).toBe(false);
  });

  it('kills every shell on dispose (quit)', async () => {
    link = connectTerminals({ shell: bash });
    const { client } = link;
    const tabs = await Promise.all([client.open({ kind: 'local' }), client.open({ kind: 'local' })]);
    const pids = await Promise.all(tabs.map(async (tab) => lastNumber(await client.run(tab.id, 'sleep 603 & echo $!'))));
    await link.service.dispose();
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });

  it('says in the tab when kubectl is missing, and starts the shell once', async () => {
    const emptyBin = await mkdtemp(join(shellTempDir, 'no-kubectl-'));
    const spawned: string[] = [];
    const countingSpawn: SpawnPty = (file, args, options) => {
      spawned.push(file);
      return spawnPty(file, args, options);
    };
    const { locateKubectl } = await import('../../../src/main/kubectl/kubectl-locator');
    const { runProgram } = await import('../../../src/main/platform/run-program');
    link = connectTerminals({
      shell: bash,
      spawnPty: countingSpawn,
      env: { ...process.env, PATH: emptyBin },
      locateKubectl: () => locateKubectl({ path: emptyBin, run: runProgram }),
    });
    const { client } = link;
    const tab = await client.open({ kind: 'local' });
    expect(tab.kubectl).toMatchObject({ available: false });
    await client.waitForOutput(tab.id, /kubectl is not available in this terminal\. kubectl was not found on PATH/);
    expect((await client.run(tab.id, 'kubectl version --client 2>&1; echo status=$?')).trim()).toMatch(/status=127$/);
    expect(spawned).toEqual(['/bin/bash']);
  });

  it('refuses a context it has no kubeconfig for, and leaves nothing behind', async () => {
    link = connectTerminals({ kubeconfigs: harnessKubeconfigs(controlPlane), tempDir: shellTempDir, shell: bash });
    await expect(link.api.terminals.open({ kind: 'local', context: 'nope' }, { cols: 80, rows: 24 })).rejects.toThrow(/no context nope/);
    expect(await link.api.terminals.list()).toEqual([]);
  });
});

/** The last line's number: `cmd & echo $!` also prints a job line ("[1] 1234") in an interactive shell. */
function lastNumber(output: string): number {
  const value = Number(output.trim().split('\n').pop());
  expect(Number.isInteger(value)).toBe(true);
  return value;
}
