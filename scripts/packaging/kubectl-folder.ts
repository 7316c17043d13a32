/**
 * The kubectls `npm run dist` puts into the app (issue 22): taken from a folder the build is
 * given, never downloaded. Layout: <dir>/<os>-<arch>/kubectl (kubectl.exe for win), os as
 * electron-builder names it (linux, win, mac), optionally further versions in sub-folders
 * (<os>-<arch>/1.20/kubectl: the kubectl shelf offers one per sub-folder), and <dir>/SHA256SUMS
 * listing every file (`sha256sum` form). Each file is checked against SHA256SUMS and each
 * kubectl's binary format against its target before it is staged for electron-builder, which maps
 * .tmp/dist-kubectl/${os}-${arch} to the app's resources/bin.
 */
import { cp, mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { filesUnder, sha256Of } from '../../src/main/offline-kit/bundle-manifest';

export type TargetOs = 'linux' | 'win' | 'mac';
export interface DistTarget {
  os: TargetOs;
  arch: 'x64' | 'arm64';
}

const OS_FLAGS: Record<string, TargetOs> = { '--linux': 'linux', '-l': 'linux', '--win': 'win', '-w': 'win', '--mac': 'mac', '-m': 'mac' };

/** The platforms electron-builder will build for, from its own flags. */
export function distTargets(args: readonly string[], platform = process.platform, arch = process.arch): DistTarget[] {
  const oses = [...new Set(args.flatMap((arg) => (arg in OS_FLAGS ? [OS_FLAGS[arg]!] : [])))];
  const arches = [
    ...new Set(args.flatMap((arg): DistTarget['arch'][] => (arg === '--x64' ? ['x64'] : arg === '--arm64' ? ['arm64'] : []))),
  ];
  const here: TargetOs = platform === 'win32' ? 'win' : platform === 'darwin' ? 'mac' : 'linux';
  const hereArch: DistTarget['arch'] = arch === 'arm64' ? 'arm64' : 'x64';
  return (oses.length > 0 ? oses : [here]).flatMap((os) => (arches.length > 0 ? arches : [hereArch]).map((a) => ({ os, arch: a })));
}

/** A folder that cannot go into the app: what is wrong and how to fix it. */
export class KubectlFolderError extends Error {}

/** The binary format a target runs: ELF (with its machine), PE or Mach-O, from the file's first bytes. */
async function formatOf(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(20);
    await handle.read(head, 0, 20, 0);
    if (head.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) {
      const machine = head.readUInt16LE(18);
      return machine === 0x3e ? 'linux-x64' : machine === 0xb7 ? 'linux-arm64' : `linux-machine-${machine}`;
    }
    if (head.subarray(0, 2).toString('latin1') === 'MZ') return 'win';
    const magic = head.readUInt32BE(0);
    if ([0xcffaedfe, 0xcefaedfe, 0xcafebabe].includes(magic)) return 'mac';
    return 'unknown';
  } finally {
    await handle.close();
  }
}

function formatFits(format: string, target: DistTarget): boolean {
  return target.os === 'linux' ? format === `linux-${target.arch}` : format === target.os;
}

/**
 * Checks the folder against its SHA256SUMS and stages each target's kubectls into
 * `stageDir/<os>-<arch>/`. Returns the staged kubectls (paths relative to the stage folder).
 * @throws KubectlFolderError naming the file or target and the fix.
 */
export async function stageKubectls(sourceDir: string, stageDir: string, targets: readonly DistTarget[]): Promise<string[]> {
  let sums: string;
  try {
    sums = await readFile(join(sourceDir, 'SHA256SUMS'), 'utf8');
  } catch {
    throw new KubectlFolderError(
      `${sourceDir} has no SHA256SUMS. Write one beside the kubectls (cd ${sourceDir} && sha256sum */kubectl* */*/kubectl* > SHA256SUMS) from checksums you trust (each Kubernetes release publishes kubectl.sha256).`,
    );
  }
  const listed = new Map<string, string>();
  for (const line of sums.split('\n').filter((entry) => entry.trim() !== '')) {
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
    if (match === null) throw new KubectlFolderError(`${join(sourceDir, 'SHA256SUMS')} has a line that is not "<sha256>  <file>": ${line}`);
    listed.set(match[2]!.replace(/^\.\//, ''), match[1]!);
  }
  const staged: string[] = [];
  await rm(stageDir, { recursive: true, force: true });
  for (const target of targets) {
    const folder = `${target.os}-${target.arch}`;
    const name = target.os === 'win' ? 'kubectl.exe' : 'kubectl';
    const files = await filesUnder(join(sourceDir, folder)).catch(() => [] as string[]);
    if (!files.includes(name)) {
      throw new KubectlFolderError(
        `${join(sourceDir, folder, name)} does not exist: the app for ${folder} would have no kubectl. Put that platform's kubectl there (and its line into SHA256SUMS), or build for other platforms.`,
      );
    }
    for (const file of files) {
      const inFolder = `${folder}/${file}`;
      const expected = listed.get(inFolder);
      if (expected === undefined)
        throw new KubectlFolderError(`${inFolder} is not in ${join(sourceDir, 'SHA256SUMS')}: add its checksum, or remove it.`);
      const actual = await sha256Of(join(sourceDir, folder, file));
      if (actual !== expected) {
        throw new KubectlFolderError(
          `${inFolder} has SHA-256 ${actual} where SHA256SUMS says ${expected}: it was changed or damaged; copy it again.`,
        );
      }
      if (file === name || file.endsWith(`/${name}`)) {
        const format = await formatOf(join(sourceDir, folder, file));
        if (!formatFits(format, target)) {
          throw new KubectlFolderError(
            `${inFolder} is not a ${folder} program (its format is ${format}): the app for ${folder} could not run it.`,
          );
        }
        staged.push(inFolder);
      }
    }
    await mkdir(join(stageDir, folder), { recursive: true });
    await cp(join(sourceDir, folder), join(stageDir, folder), { recursive: true, preserveTimestamps: true });
  }
  return staged;
}
