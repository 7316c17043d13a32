import { execFile } from 'node:child_process';
import { findControlPlaneBinaries } from './binaries.js';

/** Outcome of one kubectl run; a non-zero exit is a value, not a throw, so tests can assert on it. */
export interface KubectlResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real kubectl (v1.32 on test machines) with `--kubeconfig`. kubectl warns about the
 * version skew against the 1.20 server on stderr; that is expected and harmless.
 */
export function runKubectl(kubeconfigPath: string, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<KubectlResult> {
  const kubectl = findControlPlaneBinaries().kubectl;
  return new Promise((resolve, reject) => {
    execFile(
      kubectl,
      ['--kubeconfig', kubeconfigPath, ...args],
      { timeout: options.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, KUBECONFIG: kubeconfigPath } },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') {
          reject(new Error(`could not run ${kubectl}: ${error.message}`));
          return;
        }
        resolve({ exitCode: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}
