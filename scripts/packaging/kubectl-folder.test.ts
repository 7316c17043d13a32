import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { distTargets, stageKubectls } from './kubectl-folder';
import { tempDir } from '../../tests/harness/temp-dir';

const run = promisify(execFile);
let work: string;
let source: string;

/**
 * linux-x64: a real x86-64 ELF program of this machine (coreutils' true, small, so hashing stays
 * quick) in kubectl's place; win-x64: a STAND-IN kubectl.exe that is only a PE header ("MZ").
 * The folder check reads formats and checksums, not versions (the shelf runs the real kubectl).
 */
beforeEach(async () => {
  work = await tempDir('dist-kubectl');
  source = join(work, 'kubectls');
  await mkdir(join(source, 'linux-x64', '1.20'), { recursive: true });
  await mkdir(join(source, 'win-x64'), { recursive: true });
  const real = '/usr/bin/true';
  await copyFile(real, join(source, 'linux-x64', 'kubectl'));
  await copyFile(real, join(source, 'linux-x64', '1.20', 'kubectl'));
  await writeFile(join(source, 'win-x64', 'kubectl.exe'), Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62)]));
  await run('sh', ['-c', 'sha256sum linux-x64/kubectl linux-x64/1.20/kubectl win-x64/kubectl.exe > SHA256SUMS'], { cwd: source });
});

const both = [
  { os: 'linux', arch: 'x64' },
  { os: 'win', arch: 'x64' },
] as const;

describe("npm run dist's kubectls (a folder given to the build, checked against its SHA256SUMS)", () => {
  it('stages each target platform’s kubectls, versions in sub-folders included', async () => {
    const stage = join(work, 'stage');
    expect(await stageKubectls(source, stage, both)).toEqual(['linux-x64/1.20/kubectl', 'linux-x64/kubectl', 'win-x64/kubectl.exe']);
    expect(await readdir(join(stage, 'linux-x64'), { recursive: true })).toEqual(expect.arrayContaining(['kubectl', '1.20/kubectl']));
    // The staged program still runs (its mode is kept).
    await expect(run(join(stage, 'linux-x64', 'kubectl'), [])).resolves.toMatchObject({ stdout: '' });
  });

  it('refuses a folder without SHA256SUMS, a changed or unlisted file, a missing target and another platform’s program, naming each', async () => {
    const stage = join(work, 'stage');
    await writeFile(join(source, 'linux-x64', 'notes.txt'), 'x');
    await expect(stageKubectls(source, stage, both)).rejects.toThrow(
      /^linux-x64\/notes\.txt is not in .*SHA256SUMS: add its checksum, or remove it\.$/,
    );
    await rm(join(source, 'linux-x64', 'notes.txt'));

    await writeFile(join(source, 'win-x64', 'kubectl.exe'), Buffer.concat([Buffer.from('MZ'), Buffer.alloc(63)]));
    await expect(stageKubectls(source, stage, both)).rejects.toThrow(
      /^win-x64\/kubectl\.exe has SHA-256 [0-9a-f]{64} where SHA256SUMS says [0-9a-f]{64}: it was changed or damaged; copy it again\.$/,
    );

    await expect(stageKubectls(source, stage, [{ os: 'mac', arch: 'arm64' }])).rejects.toThrow(
      `${join(source, 'mac-arm64', 'kubectl')} does not exist: the app for mac-arm64 would have no kubectl.`,
    );

    // The Linux kubectl put where the Windows one belongs.
    await copyFile(join(source, 'linux-x64', 'kubectl'), join(source, 'win-x64', 'kubectl.exe'));
    await run('sh', ['-c', 'sha256sum linux-x64/kubectl linux-x64/1.20/kubectl win-x64/kubectl.exe > SHA256SUMS'], { cwd: source });
    await expect(stageKubectls(source, stage, both)).rejects.toThrow(
      'win-x64/kubectl.exe is not a win-x64 program (its format is linux-x64): the app for win-x64 could not run it.',
    );

    await rm(join(source, 'SHA256SUMS'));
    await expect(stageKubectls(source, stage, both)).rejects.toThrow(new RegExp(`^${source}/? has no SHA256SUMS\\.`));
  });

  it('reads the targets from electron-builder’s flags, this platform by default', () => {
    expect(distTargets([], 'linux', 'x64')).toEqual([{ os: 'linux', arch: 'x64' }]);
    expect(distTargets(['--win', '--mac', '--arm64', '--publish', 'never'], 'linux', 'x64')).toEqual([
      { os: 'win', arch: 'arm64' },
      { os: 'mac', arch: 'arm64' },
    ]);
    expect(distTargets(['-l', '--x64', '--arm64'], 'darwin', 'arm64')).toEqual([
      { os: 'linux', arch: 'x64' },
      { os: 'linux', arch: 'arm64' },
    ]);
  });
});
