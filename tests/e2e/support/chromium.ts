import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium; Playwright's own browser downloads cannot work on these machines. */
export const chromiumPath = process.env.NESTLAB_CHROMIUM ?? '/usr/bin/chromium';

/** The flags every headless Chromium of the tests and benchmarks gets (no GPU here; no sandbox as root). */
export const chromiumArgs: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Starts headless Chromium. `resolverRules` maps made-up host names to loopback, so tests can
 * act out a DNS-rebinding page or a foreign site without any traffic leaving the machine.
 * `executablePath` may be a wrapper that runs Chromium elsewhere (e.g. in a resolver namespace,
 * tests/harness/dns); Playwright talks to it over a pipe either way.
 */
export async function launchChromium(resolverRules: string[] = [], executablePath = chromiumPath): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium is not at ${chromiumPath}. Install it with: apt-get install -y chromium (npm test does this when run as root).`,
    );
  }
  const args = [...chromiumArgs];
  if (resolverRules.length > 0) args.push(`--host-resolver-rules=${resolverRules.join(',')}`);
  return chromium.launch({ executablePath, args });
}
