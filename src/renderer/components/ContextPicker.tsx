import type { SelectHTMLAttributes } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../store/store-context';

type ContextPickerProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange' | 'children'> & {
  value: string;
  onChange: (context: string) => void;
  /** A first entry with the value '' (e.g. "Your KUBECONFIG", or "Choose a context"). */
  emptyLabel?: string;
};

/**
 * A select of the imported kubeconfig contexts, the Clusters view's active one marked "(active)".
 * The caller labels it (a wrapping <label> or `id` with a <label htmlFor>) and passes other
 * select attributes through.
 */
export function ContextPicker({ value, onChange, emptyLabel, ...selectProps }: ContextPickerProps) {
  const active = useAppStore((state) => state.clusters?.activeContext);
  const contextNames = useAppStore(useShallow((state) => (state.clusters?.contexts ?? []).map((c) => c.name)));
  return (
    <select {...selectProps} value={value} onChange={(event) => onChange(event.target.value)}>
      {emptyLabel !== undefined && <option value="">{emptyLabel}</option>}
      {contextNames.map((name) => (
        <option key={name} value={name}>
          {name}
          {name === active ? ' (active)' : ''}
        </option>
      ))}
    </select>
  );
}
