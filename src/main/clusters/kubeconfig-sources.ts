/**
 * Where kubeconfig text comes from: files the user chose, text from a file picker, or the default
 * ($KUBECONFIG, else ~/.kube/config). Sizes are checked before anything is read.
 */
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import type { KubeconfigProblem, KubeconfigSource } from '../../shared/contract/clusters';
import { AppError } from '../../shared/errors';
import type { ResolvedKubeconfig } from './kubeconfig-model';
import { MAX_KUBECONFIG_BYTES, parseKubeconfigText } from './kubeconfig-parse';
import { resolveKubeconfig } from './kubeconfig-resolve';

export interface SourceEnvironment {
  homeDir?: string;
  env?: NodeJS.ProcessEnv;
}

/** $KUBECONFIG's files (kubectl skips the missing ones), else ~/.kube/config. */
export function defaultKubeconfigPaths(environment: SourceEnvironment = {}): string[] {
  const env = environment.env ?? process.env;
  const home = environment.homeDir ?? homedir();
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).filter((path) => path.trim() !== '');
  return fromEnv.length > 0 ? fromEnv.map((path) => expandHome(path, home)) : [join(home, '.kube', 'config')];
}

export function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return isAbsolute(path) ? path : resolve(path);
}

export interface LoadedSource {
  files: ResolvedKubeconfig[];
  problems: KubeconfigProblem[];
  /** Every file was read and has a kubeconfig's shape, so references between files can be checked. */
  complete: boolean;
}

/** Read, parse and resolve every file of a source; every problem of every file at once. */
export async function loadSource(source: KubeconfigSource, environment: SourceEnvironment = {}): Promise<LoadedSource> {
  const home = environment.homeDir ?? homedir();
  const inputs: { text: string; source: string; dir?: string }[] = [];
  const problems: KubeconfigProblem[] = [];
  if (source.kind === 'text') {
    inputs.push({ text: source.text, source: source.label });
  } else {
    const isDefault = source.kind === 'default';
    const paths = isDefault ? defaultKubeconfigPaths(environment) : source.paths.map((path) => expandHome(path, home));
    for (const path of paths) {
      const read = await readKubeconfigFile(path);
      if (read.ok) inputs.push({ text: read.value, source: path, dir: dirname(path) });
      // kubectl ignores KUBECONFIG entries that do not exist; a file the user named must exist.
      else if (!(isDefault && read.missing && paths.length > 1)) problems.push(...read.problems);
    }
  }
  const files: ResolvedKubeconfig[] = [];
  for (const input of inputs) {
    const parsed = parseKubeconfigText(input.text, input.source);
    if (!parsed.ok) problems.push(...parsed.problems);
    const raw = parsed.ok ? parsed.value : parsed.partial;
    // A file with bad entries is still resolved and merged, so every problem comes in one answer.
    if (raw === undefined) continue;
    const resolved = await resolveKubeconfig(raw, {
      source: input.source,
      ...(input.dir === undefined ? {} : { dir: input.dir }),
    });
    files.push(resolved.value);
    problems.push(...resolved.problems);
  }
  return { files, problems, complete: files.length === inputs.length && inputs.length > 0 };
}

async function readKubeconfigFile(
  path: string,
): Promise<{ ok: true; value: string } | { ok: false; missing: boolean; problems: KubeconfigProblem[] }> {
  const fail = (message: string, missing = false) => ({ ok: false as const, missing, problems: [{ source: path, message }] });
  try {
    const info = await stat(path);
    if (!info.isFile()) return fail(`${path} is not a file.`);
    // Refused before reading: a 50 MB "kubeconfig" costs a stat, not 50 MB of memory.
    if (info.size > MAX_KUBECONFIG_BYTES) {
      return fail(
        `The file is ${(info.size / 1024 / 1024).toFixed(1)} MB; a kubeconfig is a few kilobytes (limit ${MAX_KUBECONFIG_BYTES / 1024 / 1024} MB). Choose the right file.`,
      );
    }
    return { ok: true, value: await readFile(path, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail(`${path} does not exist.`, true);
    if (code === 'EACCES') return fail(`${path} cannot be read (permission denied).`);
    return fail(`${path} cannot be read (${code ?? 'error'}).`);
  }
}

/** INVALID_INPUT listing every problem (details.problems for the UI). */
export function invalidKubeconfig(problems: readonly KubeconfigProblem[]): AppError {
  const lines = problems.slice(0, 6).map((problem) => `${problem.message}`);
  const more = problems.length > lines.length ? ` (and ${problems.length - lines.length} more)` : '';
  const noun = problems.length === 1 ? 'a problem' : `${problems.length} problems`;
  return new AppError('INVALID_INPUT', `The kubeconfig has ${noun}; nothing was imported. ${lines.join(' ')}${more}`, {
    problems: problems.map((problem) => ({ ...problem })),
  });
}
