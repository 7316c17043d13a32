/**
 * Browser mode from a release (issue 22): `npm run dist:web`'s folder, built into a temporary
 * folder outside the checkout, runs with one command (`node nestlab-web.mjs`) from another
 * folder with only Node.js on PATH: it serves the built page, answers RPC calls through the real
 * services, and loads node-pty from its own node_modules. Nothing of the checkout is reached.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { buildWebRelease } from '../../../scripts/web-release';
import { tempDir } from '../../harness/temp-dir';

const run = promisify(execFile);
let root: string;
let release: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  root = await tempDir('web-release');
  release = join(root, 'nestlab-web');
  await buildWebRelease(release, () => undefined);
}, 600_000);

afterAll(async () => {
  if (child?.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
});

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('browser mode from a release (node nestlab-web.mjs, no checkout)', () => {
  it('holds the build, the catalog and production dependencies only', async () => {
    expect(existsSync(join(release, 'src'))).toBe(false);
    expect(existsSync(join(release, 'out', 'main', 'web.js'))).toBe(true);
    expect(existsSync(join(release, 'resources', 'catalog', 'azure-vote', 'app.yaml'))).toBe(true);
    for (const dev of ['vitest', 'electron', 'typescript', 'tsx', 'electron-vite'])
      expect(existsSync(join(release, 'node_modules', dev)), dev).toBe(false);
    const manifest = JSON.parse(await readFile(join(release, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).not.toHaveProperty('scripts');
    expect(manifest).not.toHaveProperty('devDependencies');
    // node-pty's native module loads from the release's own node_modules.
    const { stdout } = await run(process.execPath, ['-e', "console.log(typeof require('node-pty').spawn)"], { cwd: release });
    expect(stdout).toBe('function\n');
  });

  it('starts with one command from another folder, serves the page and answers RPC calls', async () => {
    const elsewhere = join(root, 'elsewhere');
    const home = join(root, 'home');
    await mkdir(elsewhere);
    await mkdir(home);
    // Only Node.js itself on PATH: no npm, no build tools, no checkout.
    child = spawn(process.execPath, [join(release, 'nestlab-web.mjs'), '--port', '0', '--data-dir', join(root, 'data')], {
      cwd: elsewhere,
      env: { HOME: home, PATH: dirname(process.execPath) === '/usr/bin' ? '/usr/bin' : `${dirname(process.execPath)}:/usr/bin` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const match = /Open: (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(output);
        if (match?.[1]) resolve(match[1]);
      };
      child!.stdout!.on('data', onData);
      child!.stderr!.on('data', onData);
      child!.once('exit', (code) => reject(new Error(`node nestlab-web.mjs exited with ${String(code)}:\n${output}`)));
    });
    const { port, hash } = new URL(url);
    const token = hash.slice('#token='.length);
    const origin = `http://127.0.0.1:${port}`;

    const page = await get(Number(port), '/');
    expect(page.status).toBe(200);
    const script = /<script type="module" crossorigin src="\.?\/?([^"]+)"/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    expect((await get(Number(port), `/${script}`)).status).toBe(200);
    expect((await get(Number(port), '/api/session', { Origin: origin, Authorization: `Bearer ${token}` })).status).toBe(204);

    const socket = new WebSocket(`ws://127.0.0.1:${port}/rpc`, ['nestlab.rpc.v1', `nestlab.token.${token}`], { origin });
    await once(socket, 'open');
    const reply = once(socket, 'message');
    socket.send(JSON.stringify({ type: 'call', id: 1, domain: 'system', method: 'info', args: [] }));
    const [data] = (await reply) as [Buffer];
    const { version } = JSON.parse(await readFile(join(release, 'package.json'), 'utf8')) as { version: string };
    expect(JSON.parse(data.toString('utf8'))).toMatchObject({
      type: 'result',
      id: 1,
      ok: true,
      value: { appVersion: version, mode: 'browser' },
    });
    socket.close();
  }, 120_000);
});
