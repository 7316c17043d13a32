import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { writeManifest } from '../offline-kit/bundle-manifest';
import { bundleCopyDetail, checkBundleOnHost } from './offline-bundle';
import type { StepContext } from './step-context';
import { tempDir } from '../../../tests/harness/temp-dir';

const run = promisify(execFile);
let home: string;

beforeEach(async () => {
  home = await tempDir('bundle-host');
});

/** A lab host whose commands run here, in `home`, with the real coreutils. */
function hostContext(commands: string[][]): StepContext {
  const exec = async (argv: readonly string[]) => {
    commands.push([...argv]);
    try {
      const { stdout, stderr } = await run(argv[0]!, argv.slice(1), { cwd: home });
      return { exitCode: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { exitCode: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  };
  return {
    dry: false,
    observeHost: exec,
    host: async (argv: readonly string[]) => {
      const result = await exec(argv);
      if (result.exitCode !== 0) throw new Error(`${argv.join(' ')} failed`);
      return result;
    },
  } as unknown as StepContext;
}

async function hostCopy(): Promise<string> {
  const dir = join(home, '.nestlab', 'labs', 'lab1', 'bundle');
  await mkdir(join(dir, 'debs'), { recursive: true });
  await writeFile(join(dir, 'debs', 'kubeadm.deb'), 'kubeadm');
  await writeFile(join(dir, 'debs', 'kubelet.deb'), 'kubelet');
  await writeManifest(dir, '1.20.2');
  return dir;
}

describe("the lab host's check of its bundle copy (REAL sha256sum)", () => {
  it('passes a copy that matches SHA256SUMS', async () => {
    await hostCopy();
    const commands: string[][] = [];
    await checkBundleOnHost(hostContext(commands), '.nestlab/labs/lab1/bundle');
    expect(commands).toHaveLength(1);
  });

  it('removes the files that differ, names them and says a resume copies them again', async () => {
    const dir = await hostCopy();
    // A part file resumed onto damaged bytes: same size, other content.
    await writeFile(join(dir, 'debs', 'kubelet.deb'), 'KUBELET');
    const commands: string[][] = [];
    const error = await checkBundleOnHost(hostContext(commands), '.nestlab/labs/lab1/bundle').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'FILE_CORRUPT',
      message:
        "The offline bundle's copy on the host differs from its checksums in debs/kubelet.deb; that file was removed from .nestlab/labs/lab1/bundle.",
      details: { fix: 'Resume the lab: the removed files are copied again.', files: ['debs/kubelet.deb'] },
    });
    expect(commands[1]).toEqual(['rm', '-f', '--', '.nestlab/labs/lab1/bundle/debs/kubelet.deb']);
    await expect(run('ls', [join(dir, 'debs')])).resolves.toMatchObject({ stdout: 'kubeadm.deb\n' });
  });

  it('a copy without SHA256SUMS cannot be checked: says so without removing anything', async () => {
    const dir = await hostCopy();
    await rm(join(dir, 'SHA256SUMS'));
    const commands: string[][] = [];
    await expect(checkBundleOnHost(hostContext(commands), '.nestlab/labs/lab1/bundle')).rejects.toMatchObject({
      code: 'FILE_CORRUPT',
      message: expect.stringMatching(
        /^The offline bundle's copy on the host could not be checked with sha256sum: sha256sum: SHA256SUMS: No such file/,
      ) as string,
    });
    expect(commands).toHaveLength(1);
  });
});

describe('the bundle step detail', () => {
  it('says what was sent and what an earlier copy left', () => {
    expect(bundleCopyDetail({ files: 12, sentBytes: 3 * 1_048_576, keptBytes: 0 })).toBe('12 files, 3.0 MiB sent');
    expect(bundleCopyDetail({ files: 12, sentBytes: 1_572_864, keptBytes: 1_048_576 })).toBe(
      '12 files, 1.5 MiB sent, 1.0 MiB kept from an earlier copy',
    );
  });
});
