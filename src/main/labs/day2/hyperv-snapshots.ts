/**
 * Lab snapshots on a Hyper-V host: one PowerShell script per operation, values as single-quoted
 * literals. Checkpoints are standard ones (the VM's memory with its disks): a production
 * checkpoint needs VSS in the guest, which a Linux lab VM does not have, and would not bring back
 * a running cluster. The VMs are paused (Suspend-VM) around the checkpoints so they are taken at
 * one moment, and resumed in a finally block.
 */
import type { LabMachine } from '../../../shared/contract/labs';
import { psLiteral } from '../../hosts/powershell';

const HEADER = ["$ErrorActionPreference = 'Stop'", "$ProgressPreference = 'SilentlyContinue'"];

function names(vms: readonly LabMachine[]): string {
  return `@(${vms.map((vm) => psLiteral(vm.name)).join(', ')})`;
}

/** The script of one operation; `list` prints one "<vm>\t<checkpoint>" line per checkpoint. */
export function hypervSnapshotScript(kind: 'list' | 'create' | 'revert' | 'delete', vms: readonly LabMachine[], snapshot: string): string {
  const name = psLiteral(snapshot);
  const body: Record<typeof kind, string[]> = {
    list: [
      `foreach ($checkpoint in @(Get-VMSnapshot -VMName ${names(vms)} -ErrorAction SilentlyContinue)) {`,
      '  "$($checkpoint.VMName)`t$($checkpoint.Name)"',
      '}',
    ],
    create: [
      '$paused = @()',
      'try {',
      `  foreach ($vm in @(Get-VM -Name ${names(vms)})) {`,
      "    if ($vm.State -eq 'Running') { Suspend-VM -Name $vm.Name; $paused += $vm.Name }",
      '  }',
      `  foreach ($vm in @(Get-VM -Name ${names(vms)})) {`,
      `    if (-not (Get-VMSnapshot -VMName $vm.Name -Name ${name} -ErrorAction SilentlyContinue)) {`,
      '      Set-VM -Name $vm.Name -CheckpointType Standard',
      `      Checkpoint-VM -Name $vm.Name -SnapshotName ${name}`,
      '    }',
      '  }',
      '} finally {',
      '  foreach ($vmName in $paused) { Resume-VM -Name $vmName }',
      '}',
      `"Checkpoint ${snapshot.replaceAll("'", '')} of $(@(Get-VMSnapshot -VMName ${names(vms)} -Name ${name}).Count) VM(s)."`,
    ],
    revert: [
      `foreach ($vmName in ${names(vms)}) { Restore-VMSnapshot -VMName $vmName -Name ${name} -Confirm:$false }`,
      // A standard checkpoint of a running (paused) VM comes back Saved: starting it resumes the guest.
      `foreach ($vm in @(Get-VM -Name ${names(vms)})) {`,
      "  if ($vm.State -eq 'Saved') { Start-VM -Name $vm.Name } elseif ($vm.State -eq 'Paused') { Resume-VM -Name $vm.Name }",
      '}',
      `"${vms.length} VM(s) back at ${snapshot.replaceAll("'", '')}."`,
    ],
    delete: [
      `foreach ($vmName in ${names(vms)}) {`,
      `  Get-VMSnapshot -VMName $vmName -Name ${name} -ErrorAction SilentlyContinue | Remove-VMSnapshot`,
      '}',
    ],
  };
  return [`# nestlab:hyperv-snapshot-${kind}`, ...HEADER, ...body[kind], ''].join('\n');
}

/** The lines of the list script. */
export function parseHypervSnapshots(stdout: string): { vm: string; name: string }[] {
  return stdout.split(/\r?\n/).flatMap((line) => {
    const [vm, name] = line.split('\t');
    return vm !== undefined && name !== undefined && vm !== '' && name.trim() !== '' ? [{ vm, name: name.trim() }] : [];
  });
}
