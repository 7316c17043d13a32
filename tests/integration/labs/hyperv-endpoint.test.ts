/**
 * A Hyper-V lab's API endpoint on the host's port (issue 19): the driver's PowerShell scripts,
 * sent over the real sshd as the engine sends them (-EncodedCommand), on a simulated Windows host.
 * SIMULATION: the NetNat and firewall cmdlets are the stateful stand-in
 * (tests/harness/ssh/simulations/hyperv-cmdlets): a static mapping per NAT and port, dropped with
 * its NAT as WinNAT drops it; Get-NetTCPConnection -State Listen is the host's real listening
 * sockets. No traffic is forwarded here: the mapping's state and the refusals are what is checked.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { powerShellCommand } from '../../../src/main/hosts/powershell';
import { cleanupScript, endpointScript, hypervPaths, networkScript, removeEndpointScript } from '../../../src/main/labs/hyperv-driver';
import { testNetwork } from '../../../src/main/labs/test-plans';
import { defaultLabPlan, type LabPlan } from '../../../src/shared/contract/labs';
import { simulations } from '../../harness/ssh/profiles';
import { startTestHost, type TestHost } from '../../harness/ssh/test-host';

const run = promisify(execFile);
let host: TestHost;

beforeAll(async () => {
  host = await startTestHost({ simulation: simulations.windowsHyperV });
}, 60_000);

afterAll(async () => {
  await host?.stop();
});

/** A port of this machine that nothing listens on now (held only while it was picked). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A PowerShell script on the simulated Windows host, as the engine runs it: its exit code, stdout and stderr. */
async function powershell(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = ['-i', host.clientKey.path, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null'];
  try {
    const { stdout, stderr } = await run('ssh', [
      ...args,
      '-o',
      'LogLevel=ERROR',
      '-p',
      String(host.port),
      `${host.user}@127.0.0.1`,
      powerShellCommand(script),
    ]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function hypervPlan(name: string, prefix: string, hostPort: number): LabPlan {
  const network = testNetwork(prefix, 1);
  return {
    ...defaultLabPlan('h1', name),
    driver: 'hyperv',
    network,
    apiEndpoint: { host: `${name}-api.lab.internal`, port: 6443, address: `${prefix}.10`, hostPort },
  };
}

const storage = 'C:\\Hyper-V\\nestlab';
const mapping = (nat: string, port: number) => join(host.simDir, 'hyperv', 'natmap', nat, String(port));
const rule = (lab: string) => join(host.simDir, 'hyperv', 'firewall', `nestlab-${lab}-api`);

describe("a Hyper-V lab's host port (SIMULATION: stand-in NetNat and firewall cmdlets)", () => {
  it('maps the port to the endpoint address once, follows a new address, refuses a port another NAT or program holds, and is removed with the lab', async () => {
    const port = await freePort();
    const lab = hypervPlan('hv2', '203.0.113', port);
    const paths = hypervPaths(storage, 'hv2');
    expect((await powershell(networkScript(lab, paths))).stdout.trim()).toBe('created');

    expect(await powershell(endpointScript(lab, paths))).toEqual({ code: 0, stdout: 'created\n', stderr: '' });
    expect(await readFile(mapping('nestlab-hv2', port), 'utf8')).toBe('TCP 203.0.113.10 6443\n');
    expect(await readFile(rule('hv2'), 'utf8')).toBe(`${port}\n`);
    expect((await powershell(endpointScript(lab, paths))).stdout).toBe('exists\n');
    // The endpoint address changed (a plan edited before a resume): the mapping follows it.
    const moved = { ...lab, apiEndpoint: { ...lab.apiEndpoint, address: '203.0.113.11' } };
    expect((await powershell(endpointScript(moved, paths))).stdout).toBe('created\n');
    expect(await readFile(mapping('nestlab-hv2', port), 'utf8')).toBe('TCP 203.0.113.11 6443\n');

    // Another lab cannot take the port this lab's NAT maps.
    const other = hypervPlan('hv3', '192.0.2', port);
    const otherPaths = hypervPaths(storage, 'hv3');
    await powershell(networkScript(other, otherPaths));
    const clash = await powershell(endpointScript(other, otherPaths));
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain(`Port ${port} of the host is mapped to 203.0.113.11 by the NAT nestlab-hv2, so lab hv3 cannot map it.`);
    expect(existsSync(mapping('nestlab-hv3', port))).toBe(false);

    // Nor a port another program listens on.
    const squatter: Server = createServer().listen(0, '127.0.0.1');
    await once(squatter, 'listening');
    const taken = (squatter.address() as AddressInfo).port;
    try {
      const refused = await powershell(endpointScript({ ...other, apiEndpoint: { ...other.apiEndpoint, hostPort: taken } }, otherPaths));
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        new RegExp(`Port ${taken} of the host is taken by another program \\(process \\d+\\), so lab hv3 cannot map it\\.`),
      );
    } finally {
      squatter.close();
    }

    // Deleting a lab removes its mapping and rule; removing its NAT drops whatever mapping is left.
    expect((await powershell(removeEndpointScript(moved, paths))).stdout).toBe('removed\n');
    expect(existsSync(mapping('nestlab-hv2', port)) || existsSync(rule('hv2'))).toBe(false);
    expect((await powershell(removeEndpointScript(moved, paths))).stdout).toBe('absent\n');
    expect((await powershell(endpointScript(other, otherPaths))).stdout).toBe('created\n');
    expect((await powershell(cleanupScript(other, otherPaths))).code).toBe(0);
    expect(existsSync(mapping('nestlab-hv3', port))).toBe(false);
  });
});
