/**
 * Custom YAML in Chromium against browser mode and the 1.20 control plane, pasted as kubectl
 * users paste it: a Namespace document after the objects that live in it, a quickstart whose
 * ports omit `protocol` into a namespace that does not exist ("Create namespace X"), 2,000
 * ConfigMaps with progress, a view switch while they run, and cancel; stale errors clear on
 * edit, and an alias bomb gets the Clusters view's message.
 */
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeRestClient, startControlPlane } from '../harness/index.js';
import type { ControlPlane } from '../harness/index.js';
import { TOO_MANY_ALIASES_MESSAGE } from '../../src/main/platform/yaml-aliases';
import { AppPage } from './pages/app-page';
import { AppsPage } from './pages/apps-page';
import { ClustersPage } from './pages/clusters-page';
import { startBrowserModeServer, type BrowserModeServer } from './support/browser-mode-server';
import { launchChromium } from './support/chromium';
import { tempDir } from '../harness/temp-dir';

let browser: Browser;
let controlPlane: ControlPlane;
let context: BrowserContext;
let server: BrowserModeServer;
let dataDir: string;
let admin: KubeRestClient;
let app: AppPage;
let apps: AppsPage;

beforeAll(async () => {
  controlPlane = await startControlPlane();
  admin = new KubeRestClient(controlPlane.admin);
  process.env.KUBECONFIG = controlPlane.adminKubeconfigPath;
  browser = await launchChromium();
  dataDir = await tempDir('e2e-yaml');
  server = await startBrowserModeServer(dataDir);
  context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  app = new AppPage(await context.newPage());
  await app.open(server.url);
  await app.waitConnected();
  await app.openView('Clusters');
  await new ClustersPage(app.page).importPath(controlPlane.adminKubeconfigPath);
  await new ClustersPage(app.page).status('nestlab-admin@nestlab-test').getByText('Reachable').waitFor({ timeout: 20_000 });
  await app.openView('Apps');
  apps = new AppsPage(app.page);
});

afterAll(async () => {
  await context?.close();
  await server?.stop();
  await browser?.close();
  await controlPlane?.stop();
});

async function exists(path: string): Promise<boolean> {
  return admin.request('GET', path).then(
    () => true,
    () => false,
  );
}

/** The shape of the azure-vote all-in-one quickstart: ports without `protocol`, no namespace. */
const QUICKSTART = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: LoadBalancer
  ports:
  - port: 80
  selector: {app: web}
`;

describe('custom YAML in Chromium', () => {
  it('applies a Namespace document first, even when it comes after the objects in it', async () => {
    await apps.yamlEditor.fill(
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: team-a\ndata: {a: "1"}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n',
    );
    await apps.yamlButton('Dry run').click();
    await apps.yamlSummary.getByText('Dry run (nothing written): 2 would be created.').waitFor();
    await apps
      .yamlRow('ConfigMap team-a/settings')
      .getByText(/namespace team-a does not exist until the apply creates it/)
      .waitFor();
    expect(await exists('/api/v1/namespaces/team-a')).toBe(false);
    await apps.yamlButton('Apply').click();
    await apps.yamlSummary.getByText('Applied: 2 created.').waitFor();
    expect(await exists('/api/v1/namespaces/team-a/configmaps/settings')).toBe(true);
  });

  it('offers to create a missing namespace, and applies a quickstart whose ports omit protocol on Kubernetes 1.20', async () => {
    await apps.yamlNamespace.fill('quick');
    await apps.yamlEditor.fill(QUICKSTART);
    await apps.yamlButton('Dry run').click();
    await apps.yamlResults.getByText('Namespace quick does not exist.').waitFor();
    await apps
      .yamlRow('Deployment quick/web')
      .getByText(/^NOT_FOUND: Document 1, Deployment quick\/web: namespace quick does not exist/)
      .waitFor();
    expect(await apps.yamlButton('Apply').isDisabled()).toBe(true);
    await app.page.getByText(/Apply is enabled once the dry run passes: 2 objects failed/).waitFor();

    await apps.yamlButton('Create namespace quick').click();
    await apps.yamlSummary.getByText('Dry run (nothing written): 3 would be created.').waitFor();
    await apps
      .yamlRow('Service quick/web')
      .getByText(/Set protocol: TCP .* on spec\.ports\[0\]\.protocol/)
      .waitFor();
    await apps.yamlButton('Apply').click();
    await apps.yamlSummary.getByText('Applied: 3 created.').waitFor();
    const service = await admin.request<{ spec: { ports: { protocol: string }[] } }>('GET', '/api/v1/namespaces/quick/services/web');
    expect(service.spec.ports[0]?.protocol).toBe('TCP');

    // Applied again: the dry run and the apply agree that nothing changes.
    await apps.yamlButton('Do not create').click();
    await apps.yamlButton('Dry run').click();
    await apps.yamlSummary.getByText('Dry run (nothing written): 2 would be unchanged.').waitFor();
  });

  it('shows progress of 2,000 objects, keeps the draft and the outcome across a view switch, and cancels an apply', async () => {
    const yaml = Array.from(
      { length: 2000 },
      (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bulk-${i}\ndata: {i: "${i}"}\n`,
    ).join('---\n');
    await apps.yamlNamespace.fill('bulk');
    await apps.openYamlFile('bulk.yaml', yaml);
    await apps.yamlButton('Dry run').click();
    await apps.yamlButton('Create namespace bulk').click();
    await apps.yamlProgress.getByText(/^Dry run: [\d,]+ of 2,001/).waitFor();

    // Away and back while it runs: the text, the namespace and the outcome are all there.
    await app.openView('Clusters');
    await app.openView('Apps');
    expect(await apps.yamlNamespace.inputValue()).toBe('bulk');
    expect((await apps.yamlEditor.inputValue()).length).toBe(yaml.length);
    await apps.yamlSummary.getByText('Dry run (nothing written): 2,001 would be created.').waitFor({ timeout: 60_000 });

    await apps.yamlButton('Apply').click();
    await apps.yamlProgress.getByText(/^Applying: ([1-9]\d{2}|1,\d{3}) of 2,001 · ConfigMap bulk\/bulk-\d+/).waitFor({ timeout: 30_000 });
    await apps.yamlButton('Cancel').click();
    await apps.yamlSummary.getByText(/^Applied, cancelled: [\d,]+ created, [\d,]+ not sent\./).waitFor({ timeout: 30_000 });
    const summary = (await apps.yamlSummary.textContent()) ?? '';
    const created = Number(/: ([\d,]+) created/.exec(summary)?.[1]?.replace(/,/g, ''));
    const list = await admin.request<{ items: { metadata: { name: string } }[] }>('GET', '/api/v1/namespaces/bulk/configmaps');
    const written = list.items.filter((item) => item.metadata.name.startsWith('bulk-')).length;
    expect(written + 1).toBe(created); // the namespace is one of the created objects
    expect(created).toBeLessThan(2001);
  });

  it('clears an error once the text changes, and refuses an alias bomb with the Clusters message', async () => {
    await apps.yamlEditor.fill('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a: b\n');
    await apps.yamlButton('Dry run').click();
    await apps.yamlResults.getByText(/Document 1, line 4, column \d+/).waitFor();
    await apps.yamlEditor.fill('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fixed\n');
    expect(await apps.yamlResults.getByText(/Document 1, line 4/).count()).toBe(0);

    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 9; level += 1) {
      const name = String.fromCharCode(97 + level);
      lines.push(
        `${name}: &${name} [${Array(9)
          .fill(`*${String.fromCharCode(96 + level)}`)
          .join(', ')}]`,
      );
    }
    await apps.yamlEditor.fill(
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n${lines.map((l) => `  ${l}`).join('\n')}\n`,
    );
    await apps.yamlButton('Dry run').click();
    await apps.yamlResults.getByText(TOO_MANY_ALIASES_MESSAGE, { exact: false }).waitFor();
  });
});
