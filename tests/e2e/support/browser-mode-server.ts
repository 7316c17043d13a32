import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface BrowserModeServer {
  /** The URL to open, with the launch token in its fragment. */
  url: string;
  port: number;
  token: string;
  /** Everything the server printed, for assertions about logs. */
  output: () => string;
  stop(): Promise<void>;
}

export interface BrowserModeServerOptions {
  /** Runs the server through this, e.g. a resolver namespace's `command` (tests/harness/dns). */
  wrap?: (argv: string[]) => string[];
  env?: NodeJS.ProcessEnv;
}

/** Starts the built browser-mode server (`out/main/web.js`) as a user would, and reads its URL. */
export async function startBrowserModeServer(dataDir: string, options: BrowserModeServerOptions = {}): Promise<BrowserModeServer> {
  const argv = [process.execPath, 'out/main/web.js', '--data-dir', dataDir, '--port', '0'];
  const [command, ...args] = options.wrap?.(argv) ?? argv;
  const child: ChildProcess = spawn(command!, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    // Generous: on a loaded 2-core machine the first start takes 10-20 s.
    const timer = setTimeout(() => reject(new Error(`browser mode did not print its URL within 60 s:\n${output}`)), 60_000);
    lines.on('line', (line) => {
      output += `${line}\n`;
      const match = /Open: (http:\/\/\S+)/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`browser mode exited with ${code}:\n${output}`));
    });
  });
  const parsed = new URL(url);
  return {
    url,
    port: Number(parsed.port),
    token: parsed.hash.replace('#token=', ''),
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
