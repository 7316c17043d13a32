import type { SelectHTMLAttributes } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../store/store-context';

type ContextPickerProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange' | 'children'> & {
  value: string;
  onChange: (context: string) => void;
};

/**
 * A select of the imported kubeconfig contexts, the Clusters view's active one marked "(active)".
 * The caller labels it (a wrapping <label> or `id` with a <label htmlFor>) and passes other
 * select attributes through.
 */
export function ContextPicker({ value, onChange, ...selectProps }: ContextPickerProps) {
  const active = useAppStore((state) => state.clusters?.activeContext);
  const contextNames = useAppStore(useShallow((state) => (state.clusters?.contexts ?? []).map((c) => c.name)));
  return (
    <select {...selectProps} value={value} onChange={(event) => onChange(event.target.value)}>
      {contextNames.map((name) => (
        <option key={name} value={name}>
          {name}
          {name === active ? ' (active)' : ''}
        </option>
      ))}
    </select>
  );
}
