import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { securityConfigs } from './nestlab-security.js';

/** Lints a sample as if it were the file at `filePath`, with only the security rules (no type information needed). */
async function ruleIdsFor(code: string, filePath: string): Promise<string[]> {
  const eslint = new ESLint({
    overrideConfigFile: true,
    overrideConfig: [
      { files: ['**/*.{ts,tsx}'], languageOptions: { parser: tseslint.parser, parserOptions: { ecmaFeatures: { jsx: true } } } },
      ...securityConfigs,
    ],
  });
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((message) => message.ruleId ?? `fatal: ${message.message}`);
}

describe('security lint rules', () => {
  it('fire on unsafe Electron window options and leave the baseline alone', async () => {
    const bad = `
      const flag = process.env.X === '1';
      export const options = { webPreferences: {
        nodeIntegration: true, contextIsolation: false, sandbox: flag, webSecurity: false,
        allowRunningInsecureContent: true, webviewTag: true, enableBlinkFeatures: 'X',
      } };`;
    const ids = await ruleIdsFor(bad, 'src/main/electron/window.ts');
    expect(ids.filter((id) => id === 'nestlab-security/web-preferences')).toHaveLength(7);
    const good = `export const options = { webPreferences: { nodeIntegration: false, contextIsolation: true, sandbox: true, webSecurity: true } };`;
    expect(await ruleIdsFor(good, 'src/main/electron/window.ts')).toEqual([]);
  });

  it('allow shell.openExternal only behind isSafeExternalUrl() of the same URL', async () => {
    const bad = `
      import { shell } from 'electron';
      export function open(url: string, other: string) {
        void shell.openExternal(url);
        if (isSafeExternalUrl(other)) void shell.openExternal(url);
        if (url.startsWith('https:')) void shell.openExternal(url);
      }`;
    expect(await ruleIdsFor(bad, 'src/main/electron/links.ts')).toEqual(Array(3).fill('nestlab-security/open-external-checked'));
    const good = `
      import { shell } from 'electron';
      export function open(url: string) {
        if (isSafeExternalUrl(url)) void shell.openExternal(url);
        if (ready && isSafeExternalUrl(url)) { void shell.openExternal(url); }
        return isSafeExternalUrl(url) && shell.openExternal(url);
      }`;
    expect(await ruleIdsFor(good, 'src/main/electron/links.ts')).toEqual([]);
  });

  it('refuse permission handlers that grant', async () => {
    const bad = `
      session.setPermissionRequestHandler((_c, permission, callback) => callback(permission === 'media' ? true : false));
      session.setPermissionCheckHandler(() => true);
      session.setDevicePermissionHandler(() => true);`;
    expect(await ruleIdsFor(bad, 'src/main/electron/session.ts')).toEqual(Array(3).fill('nestlab-security/no-permission-grant'));
    expect(await ruleIdsFor('session.setPermissionCheckHandler(() => false);', 'src/main/electron/session.ts')).toEqual([]);
  });

  it('refuse switches and options that turn off certificate checks, the sandbox or web security', async () => {
    const bad = `
      app.commandLine.appendSwitch('ignore-certificate-errors');
      app.commandLine.appendSwitch('--no-sandbox');
      app.on('certificate-error', (event, _c, _u, _e, _cert, callback) => { event.preventDefault(); callback(true); });
      session.setCertificateVerifyProc((_request, callback) => callback(0));
      process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
      export const agent = { rejectUnauthorized: false };`;
    expect(await ruleIdsFor(bad, 'src/main/clusters/client.ts')).toEqual(Array(6).fill('nestlab-security/no-insecure-transport'));
    // request-options' per-cluster setting is an expression, which is allowed.
    expect(
      await ruleIdsFor('export const agent = (skip: boolean) => ({ rejectUnauthorized: !skip });', 'src/main/clusters/client.ts'),
    ).toEqual([]);
  });

  it('keep text from clusters out of HTML in the renderer', async () => {
    const bad = `
      export function Label(props: { text: string; element: HTMLElement }) {
        props.element.innerHTML = props.text;
        props.element.insertAdjacentHTML('beforeend', props.text);
        return <a href="javascript:void(0)" dangerouslySetInnerHTML={{ __html: props.text }} />;
      }`;
    expect((await ruleIdsFor(bad, 'src/renderer/features/topology/Label.tsx')).sort()).toEqual([
      'nestlab-security/no-dangerous-html',
      'no-script-url',
      'no-unsanitized/method',
      'no-unsanitized/property',
    ]);
    expect(
      await ruleIdsFor(
        'export const Label = (props: { text: string }) => <span title={props.text}>{props.text}</span>;',
        'src/renderer/Label.tsx',
      ),
    ).toEqual([]);
  });

  it('are part of the project lint config for main, preload and renderer code', async () => {
    const eslint = new ESLint();
    const electronRules = ((await eslint.calculateConfigForFile('src/main/electron/main.ts')) as { rules: Record<string, unknown> }).rules;
    expect(electronRules).toMatchObject({
      'nestlab-security/web-preferences': [2],
      'nestlab-security/open-external-checked': [2],
      'nestlab-security/no-permission-grant': [2],
    });
    const rendererRules = ((await eslint.calculateConfigForFile('src/renderer/main.tsx')) as { rules: Record<string, unknown> }).rules;
    expect(rendererRules).toMatchObject({ 'no-unsanitized/property': [2], 'nestlab-security/no-dangerous-html': [2] });
    const serviceRules = ((await eslint.calculateConfigForFile('src/main/kube/target-request.ts')) as { rules: Record<string, unknown> })
      .rules;
    expect(serviceRules).toMatchObject({ 'nestlab-security/no-insecure-transport': [2] });
  });
});
