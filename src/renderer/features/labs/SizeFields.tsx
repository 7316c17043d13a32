import { VM_SIZE_PRESETS, type VmSizePresetName } from '../../../shared/contract';
import { describeSize, presetLabels, usedSizeRoles, type DraftErrors, type LabDraft, type SizeRole } from './lab-form';
import type { Bind } from './LabPlanForm';
import { SelectField, TextField } from './PlanFields';

const roleTitles: Record<SizeRole, string> = {
  controlPlane: 'Control plane VMs',
  linuxWorker: 'Linux worker VMs',
  windowsWorker: 'Windows worker VMs',
  etcd: 'etcd VMs',
};

const presetOptions = [
  ...(Object.keys(VM_SIZE_PRESETS) as VmSizePresetName[]).map((name) => ({
    value: name,
    label: `${presetLabels[name]}: ${describeSize(VM_SIZE_PRESETS[name])}`,
  })),
  { value: 'custom' as const, label: 'Custom' },
];

/** One size per kind of VM the plan has: a preset (its CPU, RAM and disk spelled out) or custom numbers. */
export function SizeFields({ draft, errors, bind }: { draft: LabDraft; errors: DraftErrors; bind: Bind }) {
  return (
    <fieldset className="lab-form-set">
      <legend>VM sizes</legend>
      {usedSizeRoles(draft).map((role) => {
        const preset = draft[`sizes.${role}.preset`];
        const numberField = (key: 'cpus' | 'memoryMiB' | 'diskGiB', label: string) => {
          const path = `sizes.${role}.${key}` as const;
          return <TextField label={label} inputMode="numeric" narrow {...bind(path)} />;
        };
        // A preset's numbers can be refused too (a Windows worker needs 4 GiB): say so at the preset.
        const presetError =
          preset === 'custom'
            ? undefined
            : (['cpus', 'memoryMiB', 'diskGiB'] as const)
                .map((key) => errors[`sizes.${role}.${key}`])
                .filter(Boolean)
                .join(' ') || undefined;
        return (
          <div key={role} className="lab-size" data-size={role}>
            <SelectField label={roleTitles[role]} options={presetOptions} {...bind(`sizes.${role}.preset`)} error={presetError} />
            {preset === 'custom' && (
              <div className="lab-size-custom">
                {numberField('cpus', 'vCPUs')}
                {numberField('memoryMiB', 'Memory (MiB)')}
                {numberField('diskGiB', 'Disk (GiB)')}
              </div>
            )}
          </div>
        );
      })}
    </fieldset>
  );
}
