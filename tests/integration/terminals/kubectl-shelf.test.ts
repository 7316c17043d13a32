/**
 * The kubectl shelf with real kubectls against the real 1.20 control plane: the harness's own 1.20
 * build (bundled), Debian's kubernetes-client 1.20 (added from its file, as a user would), and the
 * machine's kubectl on PATH (1.32). A terminal gets the one within one minor version of its
 * context's server; servers of other releases are the same control plane behind an HTTPS front
 * that answers /version as that release and forwards everything else.
 */
import { existsSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubectlShelfService } from '../../../src/main/kubectl/kubectl-shelf';
import { runProgram } from '../../../src/main/platform/run-program';
import { nestlabCacheDir, KUBERNETES_VERSION } from '../../harness/binaries.js';
import {
  labNodeSpecs,
  renderKubeconfig,
  startApiFront,
  startControlPlane,
  startSimulatedNodes,
  type ApiFront,
  type ControlPlane,
  type SimulatedNodes,
} from '../../harness/index.js';
import { connectTerminals } from './harness-services';
import { tempDir } from '../../harness/temp-dir';

/** What scripts/provision-test-deps.mjs unpacks (dpkg-deb -x, never installed). */
const DEBIAN_KUBECTL = join(nestlabCacheDir(), 'kubectl-debian', 'usr', 'bin', 'kubectl');
/** The harness's kubectl, built from Debian's Kubernetes source (provision.sh --node). */
const HARNESS_KUBECTL = join(nestlabCacheDir(), `kubernetes-${KUBERNETES_VERSION}`, 'node-bin', 'kubectl');
const MACHINE_KUBECTL = '/usr/bin/kubectl';
const bash = { file: '/bin/bash', args: ['--norc', '--noprofile'] };

let controlPlane: ControlPlane;
let simulation: SimulatedNodes;
let work: string;
let bundledDir: string;
let shelfDir: string;
const fronts: Record<string, ApiFront> = {};
let link: ReturnType<typeof connectTerminals> | undefined;

/** A front whose /version says `gitVersion` (or refuses with 500 when undefined). */
async function frontAs(gitVersion: string | undefined): Promise<ApiFront> {
  const front = await startApiFront({
    upstream: controlPlane.server,
    caCertPath: controlPlane.caCertPath,
    caKeyPath: controlPlane.caKeyPath,
    dir: work,
  });
  front.answer = (request) => {
    if (request.url !== '/version' && !request.url.startsWith('/version?')) return undefined;
    if (gitVersion === undefined) return 500;
    const [major, minor] = gitVersion.slice(1).split('.');
    return { status: 200, body: { major, minor, gitVersion, platform: 'linux/amd64' } };
  };
  return front;
}

beforeAll(async () => {
  for (const [what, path] of [
    ["Debian's kubectl", DEBIAN_KUBECTL],
    ["the harness's kubectl", HARNESS_KUBECTL],
    ["the machine's kubectl", MACHINE_KUBECTL],
  ] as const) {
    if (!existsSync(path)) throw new Error(`${what} is missing at ${path}: npm test provisions it (scripts/provision-test-deps.mjs).`);
  }
  controlPlane = await startControlPlane();
  simulation = await startSimulatedNodes(controlPlane.simulation, { nodes: labNodeSpecs() });
  work = await tempDir('kubectl-shelf');
  // resources/bin of a packaged app, one folder per bundled version.
  bundledDir = join(work, 'resources-bin');
  await mkdir(join(bundledDir, 'kubectl-1.20'), { recursive: true });
  await symlink(HARNESS_KUBECTL, join(bundledDir, 'kubectl-1.20', 'kubectl'));
  shelfDir = join(work, 'data', 'kubectl');
  fronts.newer = await frontAs('v1.32.4');
  fronts.between = await frontAs('v1.26.3');
  fronts.silent = await frontAs(undefined);
});
afterAll(async () => {
  for (const front of Object.values(fronts)) await front.stop();
  await simulation?.stop();
  await controlPlane?.stop();
});
afterEach(async () => {
  await link?.dispose();
  link = undefined;
});

function kubeconfigs() {
  const admin = controlPlane.admin;
  const yamls: Record<string, string> = {
    'lab-1.20': renderKubeconfig(admin, { context: 'lab-1.20' }),
    ...Object.fromEntries(
      Object.entries(fronts).map(([name, front]) => [
        `lab-${name}`,
        renderKubeconfig({ ...admin, server: front.server }, { context: `lab-${name}` }),
      ]),
    ),
  };
  return { kubeconfigYamlFor: (context: string) => Promise.resolve(yamls[context] ?? '') };
}

/** The terminals service with a shelf as the composition root wires it. */
function terminalsWith(shelf: KubectlShelfService) {
  link = connectTerminals({
    kubeconfigs: kubeconfigs(),
    tempDir: work,
    shell: bash,
    env: { ...process.env, PATH: '/usr/local/bin:/usr/bin:/bin' },
    locateKubectl: () => shelf.defaultKubectl(),
    kubectlForServer: (server) => shelf.forServer(server),
  });
  return link.client;
}

/** What the shell's own `kubectl` is and says, run in the tab. */
async function kubectlInTab(client: ReturnType<typeof terminalsWith>, id: string) {
  const path = (await client.run(id, 'command -v kubectl')).trim();
  const json = await client.run(id, 'kubectl version --client -o json 2>/dev/null | tr -d "\\n "');
  return { path, version: /"gitVersion":"([^"]+)"/.exec(json)?.[1] };
}

describe('kubectl shelf in local terminals (real kubectls, real 1.20 control plane)', () => {
  it("adds Debian's kubectl from its file, and a 1.20 terminal gets a 1.20 kubectl that talks to the server", async () => {
    const shelf = new KubectlShelfService({ bundledDir, shelfDir, path: '/usr/bin', run: runProgram });
    const added = await shelf.add(DEBIAN_KUBECTL);
    expect(added.entries.map((entry) => [entry.source, entry.version])).toEqual([
      ['bundled', 'v1.20.2'],
      ['added', 'v1.20.2'],
      ['path', expect.stringMatching(/^v1\.32\./)],
    ]);
    const client = terminalsWith(shelf);

    const tab = await client.open({ kind: 'local', context: 'lab-1.20' });
    const bundled = join(bundledDir, 'kubectl-1.20', 'kubectl');
    expect(tab.kubectl).toEqual({ available: true, path: bundled, source: 'bundled', version: 'v1.20.2' });
    expect(tab.kubectlNote).toEqual({ tone: 'info', text: 'kubectl v1.20.2 (bundled) for server v1.20.2', serverVersion: 'v1.20.2' });
    expect(await kubectlInTab(client, tab.id)).toEqual({ path: bundled, version: 'v1.20.2' });
    const nodes = await client.run(tab.id, 'kubectl get nodes --no-headers -o custom-columns=NAME:.metadata.name');
    expect(nodes.trim().split('\n').sort()).toEqual(['sim-control-plane-1', 'sim-linux-1', 'sim-linux-2', 'sim-windows-1']);
  });

  it("gives the 1.20 server Debian's added kubectl when nothing is bundled", async () => {
    const shelf = new KubectlShelfService({ shelfDir, path: '/usr/bin', run: runProgram });
    const client = terminalsWith(shelf);
    const tab = await client.open({ kind: 'local', context: 'lab-1.20' });
    const copy = join(shelfDir, 'v1.20.2', 'kubectl');
    expect(tab.kubectl).toMatchObject({ path: copy, source: 'added', version: 'v1.20.2' });
    expect(tab.kubectlNote?.text).toBe('kubectl v1.20.2 (added in Settings) for server v1.20.2');
    expect(await kubectlInTab(client, tab.id)).toEqual({ path: copy, version: 'v1.20.2' });
    expect((await client.run(tab.id, 'kubectl get namespace kube-system -o name')).trim()).toBe('namespace/kube-system');
  });

  it("gives a newer server the machine's 1.32 kubectl, and the plain shell keeps the default", async () => {
    const shelf = new KubectlShelfService({ bundledDir, shelfDir, path: '/usr/bin', run: runProgram });
    const client = terminalsWith(shelf);
    const tab = await client.open({ kind: 'local', context: 'lab-newer' });
    expect(tab.kubectl).toMatchObject({ path: MACHINE_KUBECTL, source: 'path', version: expect.stringMatching(/^v1\.32\./) });
    expect(tab.kubectlNote).toMatchObject({ tone: 'info', serverVersion: 'v1.32.4' });
    expect(tab.kubectlNote?.text).toMatch(/^kubectl v1\.32\.\d+\S* \(on PATH: \/usr\/bin\/kubectl\) for server v1\.32\.4$/);
    expect((await kubectlInTab(client, tab.id)).path).toBe(MACHINE_KUBECTL);
    // Through the front to the same real server.
    expect((await client.run(tab.id, 'kubectl get namespace default -o name 2>/dev/null')).trim()).toBe('namespace/default');
    expect(fronts.newer!.requests.some((request) => request.url.startsWith('/api/v1/namespaces/default'))).toBe(true);

    const plain = await client.open({ kind: 'local' });
    expect(plain.kubectl).toMatchObject({ source: 'bundled', version: 'v1.20.2' });
    expect(plain.kubectlNote).toBeUndefined();
  });

  it('warns in the tab and in the shell when no kubectl is within one minor version, or the version cannot be read', async () => {
    const shelf = new KubectlShelfService({ bundledDir, shelfDir, path: '/usr/bin', run: runProgram });
    const client = terminalsWith(shelf);
    const tab = await client.open({ kind: 'local', context: 'lab-between' });
    expect(tab.kubectl).toMatchObject({ source: 'bundled', version: 'v1.20.2' });
    expect(tab.kubectlNote).toEqual({
      tone: 'warning',
      text:
        'No kubectl on the shelf is within one minor version of server v1.26.3; using kubectl v1.20.2, which kubectl does not support. ' +
        'Add a kubectl 1.25-1.27 in Settings (kubectl shelf).',
      serverVersion: 'v1.26.3',
    });
    await client.waitForOutput(tab.id, /Nestlab: No kubectl on the shelf is within one minor version of server v1\.26\.3/);

    const silent = await client.open({ kind: 'local', context: 'lab-silent' });
    expect(silent.kubectlNote?.tone).toBe('warning');
    expect(silent.kubectlNote?.text).toMatch(
      /^The server's version could not be read \(.*\), so kubectl could not be matched to it; using kubectl v1\.20\.2\.$/,
    );
  });
});
