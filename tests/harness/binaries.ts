import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Kubernetes version that provision.sh builds (Debian bookworm's kubernetes source package). */
export const KUBERNETES_VERSION = '1.20.2';

/** Absolute paths of the programs a test control plane runs. */
export interface ControlPlaneBinaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  /** The real kubectl client (preinstalled /usr/bin/kubectl, or built into the cache). */
  kubectl: string;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `scripts/test-cluster/provision.sh`, which builds or finds the binaries. */
export const PROVISION_SCRIPT = join(REPO_ROOT, 'scripts', 'test-cluster', 'provision.sh');

/** Cache folder shared with provision.sh: `${NESTLAB_CACHE_DIR:-$HOME/.cache/nestlab}`. */
export function nestlabCacheDir(): string {
  return process.env.NESTLAB_CACHE_DIR ?? join(homedir(), '.cache', 'nestlab');
}

/** Where provision.sh caches the binaries it builds. */
export function cachedBinDir(): string {
  return join(nestlabCacheDir(), `kubernetes-${KUBERNETES_VERSION}`, 'bin');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` on PATH, or undefined. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

const KUBE_NAMES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;

function kubeBinDir(): string | undefined {
  const candidates = [process.env.NESTLAB_K8S_BIN_DIR, cachedBinDir()];
  const fromPath = onPath('kube-apiserver');
  if (fromPath !== undefined) candidates.push(dirname(fromPath));
  return candidates.find(
    (dir): dir is string => dir !== undefined && dir !== '' && KUBE_NAMES.every((name) => isExecutable(join(dir, name))),
  );
}

/**
 * Finds the control-plane binaries in the order provision.sh uses (NESTLAB_K8S_BIN_DIR, the cache,
 * PATH) and etcd (NESTLAB_ETCD_BIN, /usr/bin/etcd, PATH).
 * @throws Error naming what is missing and telling to run provision.sh.
 */
export function findControlPlaneBinaries(): ControlPlaneBinaries {
  const binDir = kubeBinDir();
  const etcdCandidates = [process.env.NESTLAB_ETCD_BIN, '/usr/bin/etcd', onPath('etcd')];
  const etcd = etcdCandidates.find((p): p is string => p !== undefined && isExecutable(p));
  const kubectlCandidates = ['/usr/bin/kubectl', join(cachedBinDir(), 'kubectl'), onPath('kubectl')];
  const kubectl = kubectlCandidates.find((p): p is string => p !== undefined && isExecutable(p));
  const missing = [
    binDir === undefined ? `${KUBE_NAMES.join(', ')} (looked in $NESTLAB_K8S_BIN_DIR, ${cachedBinDir()}, PATH)` : '',
    etcd === undefined ? 'etcd (looked in $NESTLAB_ETCD_BIN, /usr/bin/etcd, PATH)' : '',
    kubectl === undefined ? 'kubectl' : '',
  ].filter((entry) => entry !== '');
  if (binDir === undefined || etcd === undefined || kubectl === undefined) {
    throw new Error(
      `Kubernetes control-plane binaries are missing: ${missing.join('; ')}.\n` +
        `Run \`bash scripts/test-cluster/provision.sh\` (as root on Debian; builds Kubernetes ` +
        `${KUBERNETES_VERSION} from Debian's source package in 4-6 minutes and caches it).`,
    );
  }
  return {
    etcd,
    kubeApiserver: join(binDir, 'kube-apiserver'),
    kubeControllerManager: join(binDir, 'kube-controller-manager'),
    kubeScheduler: join(binDir, 'kube-scheduler'),
    kubectl,
  };
}

/**
 * Returns the binaries, running provision.sh first when some are missing (it prints its own
 * progress). Synchronous on purpose: it is called once from test setup or lab:sim before
 * anything else runs.
 */
export function ensureControlPlaneBinaries(): ControlPlaneBinaries {
  try {
    return findControlPlaneBinaries();
  } catch {
    const result = spawnSync('bash', [PROVISION_SCRIPT], { stdio: 'inherit' });
    if (result.status !== 0) {
      throw new Error(`${PROVISION_SCRIPT} failed with exit code ${String(result.status)}`);
    }
    return findControlPlaneBinaries();
  }
}
