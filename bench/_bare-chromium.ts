/**
 * Headless Chromium driven over a bare DevTools connection, for figures that Playwright's own
 * instrumentation would change. Playwright enables the Network domain on every page it drives,
 * and with it Chromium copies the payload of each WebSocket frame to the driver: receiving 50 MB
 * in 256 KiB binary frames took 1.1-1.7 s in a Playwright page and 0.34-0.39 s in a page with
 * only Runtime enabled (same machine, same minute; docs/BENCHMARKS.md). A user's app has no
 * DevTools attached, so the terminal throughput is measured here, with only the domains the
 * measurement needs.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { chromiumArgs, chromiumPath } from '../tests/e2e/support/chromium';

type Params = Record<string, unknown>;
type Result = Record<string, unknown>;

export interface BarePage {
  /** A DevTools command in this page's session. */
  send<T = Result>(method: string, params?: Params): Promise<T>;
  /** Evaluates `expression` in the page (awaiting a promise) and returns its value. */
  evaluate<T>(expression: string): Promise<T>;
  /** Resolves once `condition` (an expression) is true in the page, checked every frame. */
  waitFor(condition: string, timeoutMs?: number): Promise<void>;
  /** Presses and releases a key; `text` is what it types (none for Enter's '\r' handled by key). */
  press(key: string, code: string, keyCode: number, text?: string): Promise<void>;
  close(): Promise<void>;
}

export interface BareChromium {
  open(url: string, viewport: { width: number; height: number }): Promise<BarePage>;
  /** CPU time per process type (browser, renderer, GPU...), in ms. */
  cpuByType(): Promise<Record<string, number>>;
  /** Records a trace of everything while `body` runs and returns it as JSON text. */
  trace(categories: string[], body: () => Promise<void>): Promise<string>;
  close(): Promise<void>;
}

export async function launchBareChromium(): Promise<BareChromium> {
  const profile = await mkdtemp(join(tmpdir(), 'nestlab-bare-chromium-'));
  const child = spawn(
    chromiumPath,
    [
      ...chromiumArgs,
      // What Playwright passes that matters for timing.
      '--headless',
      '--hide-scrollbars',
      '--mute-audio',
      '--disable-background-timer-throttling',
      '--disable-backgrounding-occluded-windows',
      '--disable-renderer-backgrounding',
      '--disable-ipc-flooding-protection',
      '--disable-hang-monitor',
      '--force-color-profile=srgb',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    { stdio: 'ignore' },
  );
  const activePort = join(profile, 'DevToolsActivePort');
  let endpoint: string | undefined;
  for (let attempt = 0; attempt < 150 && endpoint === undefined; attempt++) {
    const text = await readFile(activePort, 'utf8').catch(() => '');
    const [port, path] = text.split('\n');
    if (port && path) endpoint = `ws://127.0.0.1:${port}${path}`;
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (endpoint === undefined) throw new Error(`Chromium did not open its DevTools port within 15 s (${chromiumPath})`);
  const socket = new WebSocket(endpoint, { perMessageDeflate: false, maxPayload: 1024 * 1024 * 1024 });
  await once(socket, 'open');

  let nextId = 0;
  const pending = new Map<number, { resolve: (value: Result) => void; reject: (error: Error) => void; method: string }>();
  const listeners = new Set<(method: string, params: Result, sessionId?: string) => void>();
  socket.on('message', (raw: Buffer) => {
    const message = JSON.parse(raw.toString('utf8')) as {
      id?: number;
      result?: Result;
      error?: { message: string };
      method?: string;
      params?: Result;
      sessionId?: string;
    };
    if (message.id !== undefined) {
      const call = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) call?.reject(new Error(`${call.method}: ${message.error.message}`));
      else call?.resolve(message.result ?? {});
    } else if (message.method) {
      for (const listener of listeners) listener(message.method, message.params ?? {}, message.sessionId);
    }
  });
  const send = <T = Result>(method: string, params: Params = {}, sessionId?: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve: resolve as (value: Result) => void, reject, method });
      socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  const nextEvent = (method: string) =>
    new Promise<Result>((resolve) => {
      const listener = (name: string, params: Result) => {
        if (name !== method) return;
        listeners.delete(listener);
        resolve(params);
      };
      listeners.add(listener);
    });

  return {
    async open(url, viewport) {
      const { targetId } = await send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
      const { sessionId } = await send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
      const inPage = <T = Result>(method: string, params?: Params) => send<T>(method, params, sessionId);
      await inPage('Emulation.setDeviceMetricsOverride', { ...viewport, deviceScaleFactor: 1, mobile: false });
      await inPage('Page.enable');
      const loaded = new Promise<void>((resolve) => {
        const listener = (name: string, _params: Result, from?: string) => {
          if (name !== 'Page.loadEventFired' || from !== sessionId) return;
          listeners.delete(listener);
          resolve();
        };
        listeners.add(listener);
      });
      await inPage('Page.navigate', { url });
      await loaded;
      const evaluate = async <T>(expression: string): Promise<T> => {
        const { result, exceptionDetails } = await inPage<{ result: { value: T }; exceptionDetails?: { text: string } }>(
          'Runtime.evaluate',
          {
            expression,
            awaitPromise: true,
            returnByValue: true,
          },
        );
        if (exceptionDetails) throw new Error(`evaluate failed: ${exceptionDetails.text}: ${expression.slice(0, 120)}`);
        return result.value;
      };
      const key = (type: string, key: string, code: string, keyCode: number, text?: string) =>
        inPage('Input.dispatchKeyEvent', {
          type,
          key,
          code,
          windowsVirtualKeyCode: keyCode,
          ...(text ? { text, unmodifiedText: text } : {}),
        });
      return {
        send: inPage,
        evaluate,
        waitFor: (condition, timeoutMs = 60_000) =>
          evaluate(`new Promise((resolve, reject) => {
            const end = performance.now() + ${timeoutMs};
            const check = () => (${condition}) ? resolve(true)
              : performance.now() > end ? reject(new Error('timed out waiting for ' + ${JSON.stringify(condition)}))
              : requestAnimationFrame(check);
            check();
          })`),
        async press(name, code, keyCode, text) {
          await key(text ? 'keyDown' : 'rawKeyDown', name, code, keyCode, text);
          await key('keyUp', name, code, keyCode);
        },
        close: async () => {
          await send('Target.closeTarget', { targetId });
        },
      };
    },
    async cpuByType() {
      const { processInfo } = await send<{ processInfo: { type: string; cpuTime: number }[] }>('SystemInfo.getProcessInfo');
      const byType: Record<string, number> = {};
      for (const { type, cpuTime } of processInfo) byType[type] = (byType[type] ?? 0) + cpuTime * 1000;
      return byType;
    },
    async trace(categories, body) {
      await send('Tracing.start', { traceConfig: { includedCategories: categories }, transferMode: 'ReturnAsStream' });
      await body();
      const complete = nextEvent('Tracing.tracingComplete');
      await send('Tracing.end');
      const { stream } = (await complete) as { stream: string };
      let text = '';
      for (;;) {
        const chunk = await send<{ data: string; eof: boolean; base64Encoded?: boolean }>('IO.read', { handle: stream, size: 1 << 20 });
        text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString('utf8') : chunk.data;
        if (chunk.eof) break;
      }
      await send('IO.close', { handle: stream });
      return text;
    },
    async close() {
      socket.close();
      const exited = child.exitCode === null ? once(child, 'exit') : Promise.resolve();
      child.kill('SIGTERM');
      await exited;
      // Chromium's helper processes can still be writing the profile when its main process exits.
      await rm(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    },
  };
}
