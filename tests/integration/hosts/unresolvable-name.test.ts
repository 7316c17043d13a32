/**
 * The first connection to a host whose name does not resolve says so, with the fix, and not a
 * sign-in problem (issue #17: with ssh-agent sign-in and no agent running it said "Sign-in
 * refused"). Real resolver path: the service runs in a network namespace of the test's own, where
 * glibc asks a DNS server on that namespace's 127.0.0.1, which answers NXDOMAIN as resolvers do
 * for the reserved .invalid domain. No query leaves the namespace.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostConnectionTestResult as ConnectionTestResult } from '../../../src/shared/contract/hosts';
import { environmentWithoutAgent, startResolverNamespace, type ResolverNamespace } from '../../harness/dns/resolver-namespace';

const run = promisify(execFile);
const fixture = fileURLToPath(new URL('./fixtures/unresolvable-name.ts', import.meta.url));
let namespace: ResolverNamespace;

beforeAll(async () => {
  namespace = await startResolverNamespace();
});
afterAll(async () => {
  await namespace?.stop();
});

/** The fixture in the resolver namespace: only loopback, a DNS server there that answers NXDOMAIN. */
async function connectInNamespace(address: string): Promise<ConnectionTestResult> {
  const [command, ...args] = namespace.command([process.execPath, '--import', 'tsx', fixture, address]);
  const { stdout } = await run(command!, args, { cwd: process.cwd(), env: environmentWithoutAgent(), timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ConnectionTestResult;
}

describe('a host whose name does not resolve (real resolver, real SSH connection code)', () => {
  it('names the host and the fix on the first connection, before any sign-in problem', async () => {
    const result = await connectInNamespace('lab-gone.nestlab.invalid');
    // The system resolver really asked for the name (and got NXDOMAIN).
    expect(namespace.asked()).toContain('lab-gone.nestlab.invalid');
    expect(result.ok).toBe(false);
    const error = result.ok ? undefined : result.error;
    expect(error).toMatchObject({
      code: 'UNREACHABLE',
      message:
        'The host name "lab-gone.nestlab.invalid" could not be resolved (ENOTFOUND), so nothing was sent. Check its spelling, your DNS server or /etc/hosts, or use the host\'s IP address.',
      details: { reason: 'unresolved-name', cause: 'ENOTFOUND', host: 'lab-gone.nestlab.invalid' },
    });
    expect(error?.message).not.toMatch(/ssh-agent|Sign-in/);
  }, 90_000);
});
