import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest globalSetup (first in every project): the tests run with a home folder of their own, so
 * nothing reads or writes the machine's ~/.kube/config, shell start-up files or ~/.config
 * (issue 15). The control-plane cache stays where provision.sh put it: NESTLAB_CACHE_DIR is fixed
 * to the real home's cache before HOME moves. Test workers start after this and inherit the
 * environment.
 */
export default function setup(): () => void {
  process.env.NESTLAB_CACHE_DIR ??= join(homedir(), '.cache', 'nestlab');
  const home = mkdtempSync(join(tmpdir(), 'nestlab-test-home-'));
  process.env.HOME = home;
  process.env.XDG_CONFIG_HOME = join(home, '.config');
  process.env.XDG_CACHE_HOME = join(home, '.cache');
  // A machine's $KUBECONFIG would add its clusters to every "Your KUBECONFIG" list.
  delete process.env.KUBECONFIG;
  return () => rmSync(home, { recursive: true, force: true });
}
