/**
 * The curl a stand-in VM runs (tests/harness/ssh/simulations/vm/curl) against the machine's real
 * curl 7.88, so a lab test cannot pass because the stand-in is lenient. Real curl runs only where
 * nothing can leave the machine: in a network namespace of its own with no interface up (`unshare
 * -n`, where every name fails to resolve, as in a VM without DNS), or against an HTTP server of the
 * test's own on loopback (for HTTP answers: a 404, a write to a folder that does not exist).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WINDOWS_CNI_MANIFESTS } from '../../../src/main/labs/pinned-scripts';
import { tempDir } from '../../harness/temp-dir';

const STAND_IN = fileURLToPath(new URL('../../harness/ssh/simulations/vm/curl', import.meta.url));
const SERVED = 'https://raw.githubusercontent.com/kubernetes-sigs/sig-windows-tools';

interface Outcome {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Whether -o's file exists afterwards (curl creates it on the first byte it writes). */
  wroteFile: boolean;
}

let dir: string;
let server: Server;
let origin: string;

beforeAll(async () => {
  dir = await tempDir('curl');
  // Every path is missing except /ok.
  server = createServer((request, response) => {
    if (request.url === '/ok') response.end('fine\n');
    else {
      response.statusCode = 404;
      response.end('404: Not Found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

let runs = 0;
/** Runs a curl (argv[0] is the program) with OUT in the arguments replaced by a fresh file path. */
async function run([program, ...argv]: [string, ...string[]], vmRoot?: string): Promise<Outcome> {
  const out = join(dir, `out-${(runs += 1)}`);
  const args = argv.map((arg) => arg.replace('OUT', out));
  return new Promise((resolve) => {
    execFile(
      program,
      args,
      { env: { PATH: '/usr/bin:/bin', HOME: dir, ...(vmRoot === undefined ? {} : { VM_ROOT: vmRoot }) }, encoding: 'utf8' },
      (error: (Error & { code?: unknown }) | null, stdout: string, stderr: string) => {
        const exitCode = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ exitCode, stdout, stderr, wroteFile: existsSync(out) });
      },
    );
  });
}
/** The machine's curl in a network namespace with nothing up (-q: no ~/.curlrc). */
const offlineCurl = (args: string[]) => run(['unshare', '-n', 'curl', '-q', ...args]);
const standIn = (args: string[], vmRoot?: string) => run([STAND_IN, ...args], vmRoot);

describe('the stand-in VM curl behaves like curl 7.88', () => {
  it.each([
    // The product's download options, a host that does not resolve (one retry: real curl waits 1 s).
    [['-fsSL', '--proto', '=https', '--retry', '1', '-o', 'OUT', 'https://get.k3s.io/']],
    [['-sfL', 'https://example.invalid/install.sh']],
    [['-sSfo', 'OUT', 'https://example.invalid/a']],
    [['-sS', '--proto', '=https', 'http://example.invalid/']],
    [['-sS', '--proto', '-all,+http', 'https://example.invalid/']],
    [['-sS', '--', 'https://example.invalid/']],
    [['--bogus', 'https://example.invalid/']],
    [['-f9', 'https://example.invalid/']],
    [['--retry=3', 'https://example.invalid/']],
    [['--retry', 'x', 'https://example.invalid/']],
    [['-fsSL', '--retry']],
    [['-sSo']],
    [['-s']],
  ])('offline: curl %j', async (args) => {
    const [real, stand] = await Promise.all([offlineCurl(args), standIn(args)]);
    expect(stand).toEqual(real);
  });

  it('answers a missing file of a served host as curl does an HTTP 404: exit 22 with -f and no file, the body without -f', async () => {
    const missing = `${SERVED}/0000000000000000000000000000000000000000/hostprocess/flannel/kube-proxy/kube-proxy.yml`;
    for (const flags of [['-fsSL'], ['-fsL'], ['-f'], ['-sSL']]) {
      const real = await run(['curl', '-q', ...flags, '-o', 'OUT', `${origin}/missing`]);
      const stand = await standIn([...flags, '-o', 'OUT', missing]);
      // Without -s, real curl also draws its progress meter on stderr: compare curl's own lines.
      const curlLines = (text: string) => text.split(/[\r\n]/).flatMap((line) => /curl: \(\d+\) .*/.exec(line) ?? []);
      expect({ ...stand, stderr: curlLines(stand.stderr) }).toEqual({ ...real, stderr: curlLines(real.stderr) });
    }
    const real = await run(['curl', '-q', '-sS', '-o', join(dir, 'no-such-folder', 'file'), `${origin}/ok`]);
    const stand = await standIn(['-sS', '-o', join(dir, 'no-such-folder', 'file'), WINDOWS_CNI_MANIFESTS.flannelKubeProxy.url]);
    expect(stand).toEqual(real);
    expect(real.exitCode).toBe(23);
  });

  it('serves every pinned Windows CNI manifest, as upstream has it (placeholders in), and logs each request', async () => {
    const vmRoot = mkdtempSync(join(dir, 'vm-'));
    const expected = {
      flannelOverlay: 'image: sigwindowstools/flannel:FLANNEL_VERSION-hostprocess',
      flannelKubeProxy: 'image: sigwindowstools/kube-proxy:KUBE_PROXY_VERSION-flannel-hostprocess',
      calicoKubeProxy: 'image: sigwindowstools/kube-proxy:v1.21.1-calico-hostprocess',
    };
    for (const [name, pinned] of Object.entries(WINDOWS_CNI_MANIFESTS)) {
      const fetched = await standIn(['-fsSL', '--proto', '=https', '--retry', '3', pinned.url], vmRoot);
      expect(fetched.exitCode, fetched.stderr).toBe(0);
      expect(fetched.stdout).toContain(expected[name as keyof typeof expected]);
      expect(fetched.stdout).toContain('hostProcess: true');
    }
    await standIn(['-fsS', 'https://example.invalid/x'], vmRoot);
    expect(readFileSync(join(vmRoot, 'curl.log'), 'utf8')).toBe(
      [...Object.values(WINDOWS_CNI_MANIFESTS).map((pinned) => `${pinned.url} 0`), 'https://example.invalid/x 6', ''].join('\n'),
    );
  });
});
