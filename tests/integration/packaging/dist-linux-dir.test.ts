/**
 * npm run dist's packaging, run for real with electron-builder (issue 22): the project's
 * electron-builder.yml packs a Linux app folder (`--linux dir`) from a fresh build, with the
 * kubectl staged by scripts/dist.ts's check (the machine's real kubectl and a SHA256SUMS of it).
 * SIMULATION: the Electron binary cannot be downloaded here, so electronDist is a stand-in folder
 * whose `electron` holds only what electron-builder and @electron/fuses act on: Electron 45's fuse
 * wire (the sentinel, wire version 1, eight fuses at Electron's defaults). Node modules are not
 * rebuilt for Electron (that needs Electron's headers from the internet).
 */
import { execFile } from 'node:child_process';
import { chmod, copyFile, cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { listPackage } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { beforeAll, describe, expect, it } from 'vitest';
import { stageKubectls } from '../../../scripts/packaging/kubectl-folder';
import { tempDir } from '../../harness/temp-dir';

const run = promisify(execFile);
const REPO = resolve(new URL('../../..', import.meta.url).pathname);
let work: string;
let app: string;

/** A fuse's state in the wire: the characters '1' and '0'. */
const ON = '1'.charCodeAt(0);
const OFF = '0'.charCodeAt(0);

/** Electron 45's fuse wire as its binary ships it: RunAsNode, NODE_OPTIONS, --inspect and file: privileges on; the rest off. */
const ELECTRON_DEFAULT_WIRE = '10110001';

beforeAll(async () => {
  work = await tempDir('dist');
  const project = join(work, 'project');
  await mkdir(project);
  for (const file of ['package.json', 'package-lock.json', 'electron-builder.yml']) await copyFile(join(REPO, file), join(project, file));
  await cp(join(REPO, 'resources', 'catalog'), join(project, 'resources', 'catalog'), { recursive: true });
  // Hard links: the installed tree as electron-builder finds it in a project, without copying
  // 400 MB (a copy where the temp folder is on another file system).
  await run('cp', ['-al', join(REPO, 'node_modules'), join(project, 'node_modules')]).catch(async () => {
    await rm(join(project, 'node_modules'), { recursive: true, force: true });
    await run('cp', ['-a', join(REPO, 'node_modules'), join(project, 'node_modules')]);
  });
  await run(
    process.execPath,
    [join(REPO, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', join(project, 'out'), '--logLevel', 'warn'],
    {
      cwd: REPO,
    },
  );
  // The kubectl folder npm run dist is given: linux-x64/kubectl and its SHA256SUMS.
  const kubectls = join(work, 'kubectls');
  await mkdir(join(kubectls, 'linux-x64'), { recursive: true });
  await copyFile((await run('sh', ['-c', 'command -v kubectl'])).stdout.trim(), join(kubectls, 'linux-x64', 'kubectl'));
  await run('sh', ['-c', 'sha256sum linux-x64/kubectl > SHA256SUMS'], { cwd: kubectls });
  await stageKubectls(kubectls, join(project, '.tmp', 'dist-kubectl'), [{ os: 'linux', arch: 'x64' }]);
  // SIMULATION: the Electron distribution.
  const electronDist = join(work, 'electron-dist');
  await mkdir(electronDist);
  await writeFile(
    join(electronDist, 'electron'),
    Buffer.concat([
      Buffer.from(
        '#!/bin/sh\n# SIMULATION: stand-in for the Electron 45 binary (only its fuse wire)\n# dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX',
        'latin1',
      ),
      Buffer.from([1, ELECTRON_DEFAULT_WIRE.length]),
      Buffer.from(`${ELECTRON_DEFAULT_WIRE}\n`, 'latin1'),
    ]),
  );
  await chmod(join(electronDist, 'electron'), 0o755);
  for (const file of ['LICENSE', 'LICENSES.chromium.html', 'version']) await writeFile(join(electronDist, file), '');
  await run(
    process.execPath,
    [
      join(REPO, 'node_modules/electron-builder/cli.js'),
      '--config',
      'electron-builder.yml',
      '--linux',
      'dir',
      '--x64',
      `-c.electronDist=${electronDist}`,
      '-c.npmRebuild=false',
    ],
    { cwd: project, maxBuffer: 16 * 1024 * 1024 },
  );
  app = join(project, 'release', 'linux-unpacked');
}, 900_000);

describe('npm run dist packs the app as electron-builder.yml says (REAL electron-builder; SIMULATION: the Electron binary)', () => {
  it('flips the fuses in the binary', async () => {
    const wire = (await getCurrentFuseWire(join(app, 'nestlab'))) as unknown as Record<number, number>;
    expect(wire[FuseV1Options.RunAsNode]).toBe(OFF);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(ON);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(OFF);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(OFF);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(ON);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(ON);
    // Left as Electron ships them (see electron-builder.yml).
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(ON);
  });

  it('bundles the build and production dependencies in app.asar, unpacks native modules, adds the kubectl and the catalog', async () => {
    const packed = listPackage(join(app, 'resources', 'app.asar'), { isPack: false });
    for (const path of ['/out/main/index.js', '/out/main/web.js', '/out/preload/index.cjs', '/out/renderer/index.html', '/package.json']) {
      expect(packed, path).toContain(path);
    }
    expect(packed.some((path) => path.startsWith('/node_modules/ssh2/'))).toBe(true);
    // No sources, tests or development dependencies.
    for (const prefix of ['/src', '/tests', '/scripts', '/node_modules/vitest/', '/node_modules/electron/', '/node_modules/typescript/']) {
      expect(
        packed.filter((path) => path.startsWith(prefix)),
        prefix,
      ).toEqual([]);
    }
    const { stdout: unpacked } = await run('find', ['.', '-name', '*.node'], { cwd: join(app, 'resources', 'app.asar.unpacked') });
    expect(unpacked).toMatch(/\.\/node_modules\/node-pty\/build\/Release\/pty\.node/);
    const { stdout } = await run(join(app, 'resources', 'bin', 'kubectl'), ['version', '--client', '-o', 'json']);
    expect(JSON.parse(stdout)).toHaveProperty('clientVersion.gitVersion');
    expect(packed.some((path) => path.startsWith('/resources'))).toBe(false);
    const { stdout: catalog } = await run('ls', [join(app, 'resources', 'catalog')]);
    expect(catalog.split('\n')).toEqual(expect.arrayContaining(['azure-vote', 'aspnet-sample', 'nginx']));
  });
});
