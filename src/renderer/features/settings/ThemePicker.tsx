import type { ThemePreference } from '../../../shared/contract';
import { Icon, type IconName } from '../../components/Icon';

const options: { value: ThemePreference; label: string; icon: IconName }[] = [
  { value: 'system', label: 'System', icon: 'monitor' },
  { value: 'light', label: 'Light', icon: 'sun' },
  { value: 'dark', label: 'Dark', icon: 'moon' },
];

/** A radio group (arrow keys move and select, as native radios do). */
export function ThemePicker({ value, onChange }: { value: ThemePreference; onChange: (value: ThemePreference) => void }) {
  return (
    <fieldset className="theme-picker">
      <legend>Theme</legend>
      <div className="segmented">
        {options.map((option) => (
          <label key={option.value} className="segment">
            <input
              type="radio"
              name="theme"
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
            />
            <Icon name={option.icon} size={16} />
            <span>{option.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
