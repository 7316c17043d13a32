/**
 * Whether Windows workers join tainted os=windows:NoSchedule (the plan's taintWindowsWorkers; on
 * by default). A checkbox with its hint read with it; Space toggles it.
 */
import { fieldId } from './PlanFields';

export function WindowsTaintField({ checked, onChange }: { checked: boolean; onChange: (checked: boolean) => void }) {
  const id = fieldId('taintWindowsWorkers');
  return (
    <div className="field lab-checkbox-field" data-field="taintWindowsWorkers">
      <label htmlFor={id}>
        <input
          id={id}
          type="checkbox"
          checked={checked}
          aria-describedby={`${id}-hint`}
          onChange={(event) => onChange(event.target.checked)}
        />{' '}
        Taint Windows workers os=windows:NoSchedule
      </label>
      <p className="field-hint" id={`${id}-hint`}>
        {checked
          ? 'Only pods that tolerate the taint land on them (the catalog’s Windows apps do), so Linux pods without a nodeSelector stay off.'
          : 'Untainted: any pod without a nodeSelector may be scheduled on a Windows worker, where Linux images cannot run.'}
      </p>
    </div>
  );
}
