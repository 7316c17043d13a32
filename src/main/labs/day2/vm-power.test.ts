import { describe, expect, it } from 'vitest';
import { hypervPower, parseDomstate, parseHypervStates } from './vm-power';

const result = (exitCode: number, stdout: string, stderr = '') => ({ exitCode, stdout, stderr });

describe('VM power states', () => {
  it('maps virsh domstate’s words (libvirt 9) and keeps the word', () => {
    expect(parseDomstate('lab1-linux1', result(0, 'running\n\n'))).toEqual({ state: 'running', detail: 'running' });
    expect(parseDomstate('lab1-linux1', result(0, 'shut off\n\n'))).toEqual({ state: 'off', detail: 'shut off' });
    expect(parseDomstate('lab1-linux1', result(0, 'in shutdown\n\n'))).toEqual({ state: 'stopping', detail: 'in shutdown' });
    expect(parseDomstate('lab1-linux1', result(0, 'pmsuspended\n'))).toEqual({ state: 'paused', detail: 'pmsuspended' });
    expect(parseDomstate('lab1-linux1', result(0, 'crashed\n'))).toEqual({ state: 'crashed', detail: 'crashed' });
    expect(parseDomstate('lab1-linux1', result(0, 'no state\n'))).toEqual({ state: 'other', detail: 'no state' });
  });

  it('a missing domain is absent; any other virsh failure is an error naming it and the fix', () => {
    const missing = result(1, '', "error: failed to get domain 'x'\nerror: Domain not found: no domain with matching name 'x'\n");
    expect(parseDomstate('x', missing)).toEqual({ state: 'absent', detail: 'no such domain' });
    const down = result(
      1,
      '',
      'error: failed to connect to the hypervisor\nerror: Failed to connect socket to /var/run/libvirt/libvirt-sock\n',
    );
    expect(() => parseDomstate('x', down)).toThrow(
      expect.objectContaining({
        code: 'PROGRAM_FAILED',
        message: expect.stringMatching(/^virsh domstate x failed: error: failed to connect/),
      }),
    );
  });

  it('maps Hyper-V’s VMState names, and VMs Get-VM did not print are absent', () => {
    expect(hypervPower('Off')).toEqual({ state: 'off', detail: 'Off' });
    expect(hypervPower('Saved')).toEqual({ state: 'paused', detail: 'Saved' });
    expect(hypervPower('Stopping')).toEqual({ state: 'stopping', detail: 'Stopping' });
    expect(hypervPower('FastSaved')).toEqual({ state: 'other', detail: 'FastSaved' });
    const states = parseHypervStates(
      ['lab1-linux1', 'lab1-linux2', 'lab1-win1'],
      'lab1-linux1\tRunning\r\nlab1-win1\tOff\r\nother\tRunning\r\n',
    );
    expect(Object.fromEntries(states)).toEqual({
      'lab1-linux1': { state: 'running', detail: 'Running' },
      'lab1-linux2': { state: 'absent', detail: 'no such VM' },
      'lab1-win1': { state: 'off', detail: 'Off' },
    });
  });
});
