/**
 * The first connection to a host whose name does not resolve says so, with the fix, and not a
 * sign-in problem (issue #17: with ssh-agent sign-in and no agent running it said "Sign-in
 * refused"). Real resolver path: the service runs in a network namespace of the test's own, where
 * glibc asks a DNS server on that namespace's 127.0.0.1, which answers NXDOMAIN as resolvers do
 * for the reserved .invalid domain. No query leaves the namespace.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostConnectionTestResult as ConnectionTestResult } from '../../../src/shared/contract/hosts';

const run = promisify(execFile);
const fixture = fileURLToPath(new URL('./fixtures/unresolvable-name.ts', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nestlab-unresolvable-test-'));
  await writeFile(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:2 attempts:1\n');
});
afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** The fixture in a new network + mount namespace: only loopback, our resolv.conf over the machine's. */
async function connectInNamespace(address: string): Promise<{ result: ConnectionTestResult; asked: string[] }> {
  const script = [
    'set -e',
    `mount --bind '${join(dir, 'resolv.conf')}' /etc/resolv.conf`,
    'ip link set lo up',
    // The agent a developer's shell may have must not be what the test sees.
    'unset SSH_AUTH_SOCK',
    `exec '${process.execPath}' --import tsx '${fixture}' "$1"`,
  ].join('\n');
  const { stdout } = await run('unshare', ['--net', '--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', address], {
    cwd: process.cwd(),
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { result: ConnectionTestResult; asked: string[] };
}

describe('a host whose name does not resolve (real resolver, real SSH connection code)', () => {
  it('names the host and the fix on the first connection, before any sign-in problem', async () => {
    const { result, asked } = await connectInNamespace('lab-gone.nestlab.invalid');
    // The system resolver really asked for the name (and got NXDOMAIN).
    expect(asked).toContain('lab-gone.nestlab.invalid');
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
