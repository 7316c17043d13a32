import { describe, expect, it } from 'vitest';
import type { LabMachine } from '../../shared/contract/labs';
import { waitForSsh } from './node-install';
import type { ExecResult } from '../hosts/ssh-connection';
import type { StepContext, VmCommand } from './step-context';

const machine = { name: 'lab1-cp1', os: 'linux', role: 'control-plane' } as LabMachine;

/** A step context whose VM answers `cloud-init status` with the given results, one per call. */
function contextAnswering(answers: ExecResult[]): { ctx: StepContext; asked: string[]; logged: string[]; waited: number[] } {
  const asked: string[] = [];
  const waited: number[] = [];
  const logged: string[] = [];
  const ctx = {
    dry: false,
    log: (text: string) => logged.push(text),
    observeVm: (_machine: LabMachine, command: VmCommand) => {
      asked.push('argv' in command ? command.argv.join(' ') : 'powershell');
      return Promise.resolve(answers.shift() ?? { exitCode: 255, stdout: '', stderr: 'no more answers' });
    },
    waitFor: async <T>(_what: string, probe: () => Promise<T | undefined>, options: { timeoutMs: number }) => {
      waited.push(options.timeoutMs);
      for (;;) {
        const answer = await probe();
        if (answer !== undefined) return answer;
      }
    },
  } as unknown as StepContext;
  return { ctx, asked, logged, waited };
}

describe('waiting for SSH and cloud-init on a Linux VM', () => {
  it('waits through SSH failures until cloud-init is done', async () => {
    const { ctx, asked } = contextAnswering([
      { exitCode: 255, stdout: '', stderr: 'Connection refused' },
      { exitCode: 255, stdout: '', stderr: 'Permission denied (publickey).' },
      { exitCode: 0, stdout: 'status: done\n', stderr: '' },
    ]);
    expect(await waitForSsh(ctx, machine)).toEqual({ status: 'done' });
    expect(asked).toEqual(['cloud-init status --wait', 'cloud-init status --wait', 'cloud-init status --wait']);
  });

  it("waits 10 minutes, or the driver's boot time when it is longer (software emulation)", async () => {
    const done = { exitCode: 0, stdout: 'status: done\n', stderr: '' };
    const kvm = contextAnswering([done]);
    await waitForSsh(kvm.ctx, machine, 300_000);
    const emulated = contextAnswering([done]);
    await waitForSsh(emulated.ctx, machine, 1_800_000);
    const unknown = contextAnswering([done]);
    await waitForSsh(unknown.ctx, machine);
    expect([...kvm.waited, ...emulated.waited, ...unknown.waited]).toEqual([600_000, 1_800_000, 600_000]);
  });

  it('goes on when cloud-init finished with a failed module, and logs what failed', async () => {
    const detail =
      "status: error\ndetail:\n('locale', ProcessExecutionError(\"Unexpected error while running command.\\nCommand: ['update-locale', '--locale-file=/etc/default/locale', 'LANG=en_US.UTF-8']\"))";
    const { ctx, asked, logged } = contextAnswering([
      // cloud-init 22.4 (Debian 12): `status --wait` prints the status and exits 1 after an error.
      { exitCode: 1, stdout: 'status: error\n', stderr: '' },
      { exitCode: 1, stdout: detail, stderr: '' },
    ]);
    const outcome = await waitForSsh(ctx, machine);
    expect(outcome.status).toBe('done');
    expect(outcome.detail).toContain('cloud-init finished with errors');
    expect(asked).toEqual(['cloud-init status --wait', 'cloud-init status --long']);
    expect(logged.join('\n')).toContain("('locale', ProcessExecutionError");
  });
});
