/**
 * `npm run dist:web -- --out DIR`: a browser-mode release (issue 22) for people without the
 * Electron binary. DIR gets the built app (out/), the catalog (resources/catalog), the production
 * dependencies as this checkout has them installed (node-pty's native module built for this
 * platform and Node's major version), a package.json without scripts, and nestlab-web.mjs:
 *
 *   node nestlab-web.mjs [--port N] [--data-dir DIR]
 *
 * needs only Node.js (the same major version as the build, 20.19 or newer): no source checkout,
 * no npm install, no build tools. Nothing in it downloads anything.
 */
import { execFile, spawnSync } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(new URL('..', import.meta.url).pathname);

/** The launcher: checks Node, then starts browser mode's entry with the same arguments. */
export const LAUNCHER = `#!/usr/bin/env node
// Nestlab browser mode from a release: node nestlab-web.mjs [--port N] [--data-dir DIR]
const [major, minor] = process.versions.node.split('.').map(Number);
const built = __NODE_MAJOR__;
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(\`Nestlab needs Node.js 20.19 or newer; this is \${process.versions.node}.\`);
  process.exit(1);
}
if (major !== built) {
  console.error(\`This Nestlab release was built for Node.js \${built} (its terminal module is native); this is \${process.versions.node}. Use Node.js \${built}.\`);
  process.exit(1);
}
await import('./out/main/web.js');
`;

/** The production dependency folders of the checkout, relative to it (npm's own resolution of the installed tree). */
async function productionPackages(): Promise<string[]> {
  const { stdout } = await run('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
  );
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '' && resolve(line) !== ROOT)
    .map((line) => relative(ROOT, line))
    .filter((path) => path.startsWith('node_modules'))
    .sort();
}

export async function buildWebRelease(out: string, log: (line: string) => void = console.log): Promise<void> {
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  log('out/: electron-vite build');
  const build = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', join(out, 'out'), '--logLevel', 'warn'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  if (build.status !== 0) throw new Error('The build failed (see above).');
  // The desktop shell's preload is not used by browser mode.
  await rm(join(out, 'out', 'preload'), { recursive: true, force: true });
  await cp(join(ROOT, 'resources', 'catalog'), join(out, 'resources', 'catalog'), { recursive: true });
  const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  const { name, productName, version, description, license, type, engines, dependencies } = manifest;
  await writeFile(
    join(out, 'package.json'),
    `${JSON.stringify({ name, productName, version, description, license, private: true, type, engines, main: 'nestlab-web.mjs', dependencies }, null, 2)}\n`,
  );
  const packages = await productionPackages();
  log(`node_modules/: ${packages.length} production packages`);
  // Nested folders are copied with their parent; only the outermost of each tree is copied.
  const outermost = packages.filter((path) => !packages.some((other) => other !== path && path.startsWith(`${other}/`)));
  for (const path of outermost) await cp(join(ROOT, path), join(out, path), { recursive: true, verbatimSymlinks: true });
  await writeFile(join(out, 'nestlab-web.mjs'), LAUNCHER.replace('__NODE_MAJOR__', process.versions.node.split('.')[0] ?? '20'), {
    mode: 0o755,
  });
  await writeFile(
    join(out, 'README.txt'),
    [
      `Nestlab ${String(version)}: browser mode`,
      '',
      `Run: node nestlab-web.mjs            (Node.js ${process.versions.node.split('.')[0] ?? ''}, 20.19 or newer)`,
      '     node nestlab-web.mjs --port 7480 --data-dir ~/lab',
      '',
      'It prints the URL to open (http://127.0.0.1:PORT/#token=...). Nothing else to install.',
      `Built for ${process.platform}-${process.arch}.`,
      '',
    ].join('\n'),
  );
  log(`${out}: ${(await readdir(out)).join(', ')}`);
}

const { values } = parseArgs({ options: { out: { type: 'string' } }, strict: false });
if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const out = typeof values.out === 'string' ? resolve(values.out) : join(ROOT, 'release', 'web');
  await buildWebRelease(out).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
