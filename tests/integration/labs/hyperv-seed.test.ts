/**
 * A Hyper-V VM's seed image survives a connection dropped while it is written (issue 16, item
 * 16): the VM script runs over the real sshd on a simulated Windows host, as the engine runs it.
 * SIMULATION: the Hyper-V cmdlets are the stateful stand-in (tests/harness/ssh/simulations/
 * hyperv-cmdlets), which writes the image where [System.IO.File]::Create says, moves it only with
 * the script's Move-Item, cuts the write off halfway on request, and gives the VM the address and
 * key of the attached image only when the image is whole (as cloud-init reads a NoCloud seed).
 */
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linuxUserData, metaData, networkConfig } from '../../../src/main/labs/cloud-init';
import { hypervPaths, networkScript, vmScript } from '../../../src/main/labs/hyperv-driver';
import { machinesOf } from '../../../src/main/labs/machines';
import { TEST_PUBLIC_KEY, testNetwork, testPlan } from '../../../src/main/labs/test-plans';
import { hostPowerShell } from '../../harness/ssh/host-powershell';
import { simulations } from '../../harness/ssh/profiles';
import { TEST_UID } from '../../harness/ssh/simulated-host-files';
import { startTestHost, type TestHost } from '../../harness/ssh/test-host';

let host: TestHost;

beforeAll(async () => {
  host = await startTestHost({ simulation: simulations.windowsHyperV });
}, 60_000);

afterAll(async () => {
  await host?.stop();
});

/** A folder of the Hyper-V stand-in's state (C:\X is c/X) that the stand-ins (the test user) may write in. */
async function simulatedFolder(...parts: string[]): Promise<string> {
  let path = host.simDir;
  for (const part of ['hyperv', ...parts]) {
    path = join(path, part);
    await mkdir(path, { recursive: true });
    await chown(path, TEST_UID, TEST_UID);
  }
  return path;
}

describe("a Hyper-V VM's seed image (SIMULATION: stand-in Hyper-V cmdlets)", () => {
  it('is built again on resume after the connection dropped while it was written, so the VM gets its address and key', async () => {
    const plan = testPlan({
      name: 'seed1',
      driver: 'hyperv',
      network: testNetwork('198.51.100', 1),
      baseImage: 'C:\\Hyper-V\\Base\\jammy.vhdx',
      windowsWorkers: 0,
      linuxWorkers: 0,
    });
    await writeFile(join(await simulatedFolder('c', 'Hyper-V', 'Base'), 'jammy.vhdx'), 'SIMULATED parent VHDX\n');
    await simulatedFolder('c', 'Hyper-V', 'nestlab');
    const paths = hypervPaths('C:\\Hyper-V\\nestlab', plan.name);
    const machine = { ...machinesOf(plan)[0]!, address: '198.51.100.100' };
    const seed = {
      userData: linuxUserData(machine, plan, TEST_PUBLIC_KEY),
      metaData: metaData(machine, 'a1b2c3d4'),
      networkConfig: networkConfig('198.51.100.100', 24, '198.51.100.1'),
    };
    const network = await hostPowerShell(host, networkScript(plan, paths));
    expect(network.code, network.stderr).toBe(0);
    const iso = join(host.simDir, 'hyperv', 'c', 'Hyper-V', 'nestlab', 'nestlab-seed1', `${machine.name}-seed.iso`);
    const vmState = (file: string) => readFile(join(host.simDir, 'hyperv', 'vms', machine.name, file), 'utf8');

    // The connection drops halfway through the image: PowerShell ends there.
    const faults = await simulatedFolder('faults');
    await writeFile(join(faults, 'cut-seed-iso'), '');
    const cut = await hostPowerShell(host, vmScript(plan, machine, paths, seed));
    expect(cut.code, cut.stderr).toBe(255);
    expect(cut.stderr).toContain('Connection to the host lost');
    // Nothing stands where the image belongs (the half-written one is a temporary file)...
    expect(existsSync(iso)).toBe(false);

    // ...so the resumed step builds it again instead of attaching the half that arrived.
    const resumed = await hostPowerShell(host, vmScript(plan, machine, paths, seed));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout.trim()).toBe('created');
    expect((await readFile(iso, 'utf8')).trimEnd().endsWith('END cidata')).toBe(true);
    expect((await vmState('ip')).trim()).toBe('198.51.100.100');
    expect(await readFile(join(host.simDir, 'vms', machine.name, 'authorized_keys'), 'utf8')).toContain(
      TEST_PUBLIC_KEY.split(' ').slice(0, 2).join(' '),
    );
  });
});
