import { useEffect, useId, useState, type FormEvent } from 'react';
import { Banner } from '../../components/Banner';
import { fieldDescribedBy, FieldShell } from '../../components/Field';
import { useAppStore } from '../../store/store-context';
import { AboutPanel } from './AboutPanel';
import { KubectlShelfPanel } from './KubectlShelfPanel';
import { ThemePicker } from './ThemePicker';
import { draftFrom, parseDraft, type FormDraft, type FormField } from './settings-form';
import './settings.css';

export function SettingsView() {
  const settings = useAppStore((state) => state.settings);
  const error = useAppStore((state) => state.settingsError);
  const update = useAppStore((state) => state.updateSettings);
  const reset = useAppStore((state) => state.resetSettings);
  const [draft, setDraft] = useState<FormDraft | undefined>();
  const [saved, setSaved] = useState(false);

  // A change from elsewhere (another window) refreshes the form unless the user is editing it.
  const stored = settings?.values;
  useEffect(() => {
    if (stored) setDraft((current) => (current && isDirty(current, draftFrom(stored)) ? current : draftFrom(stored)));
  }, [stored]);

  if (!settings || !draft) return <p className="muted">Loading settings…</p>;
  const { patch, errors } = parseDraft(draft);
  const dirty = isDirty(draft, draftFrom(settings.values));
  const valid = Object.keys(errors).length === 0;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!valid) return;
    setSaved(await update(patch));
  }

  const edit = (field: FormField) => (value: string) => {
    setSaved(false);
    setDraft({ ...draft, [field]: value });
  };

  return (
    <div className="settings">
      {error && <Banner tone="error">{error.message}</Banner>}
      <section className="card" aria-labelledby="appearance-heading">
        <h2 id="appearance-heading">Appearance</h2>
        <ThemePicker value={settings.values.theme} onChange={(theme) => void update({ theme })} />
      </section>

      <form className="card" aria-labelledby="terminal-heading" onSubmit={(event) => void onSubmit(event)} noValidate>
        <h2 id="terminal-heading">Terminals and apps</h2>
        <Field
          label="Terminal font size"
          suffix="px"
          value={draft.terminalFontSize}
          error={errors.terminalFontSize}
          onChange={edit('terminalFontSize')}
          inputMode="numeric"
        />
        <Field
          label="Terminal scrollback"
          suffix="lines"
          value={draft.terminalScrollback}
          error={errors.terminalScrollback}
          onChange={edit('terminalScrollback')}
          inputMode="numeric"
        />
        <Field
          label="Registry mirror"
          hint="Catalog images and labs pull through this registry, each registry under a path named after it (registry.lab.local:5000/docker.io/library/redis). Leave empty to pull from where each app says."
          placeholder="registry.lab.local:5000"
          value={draft.registryMirror}
          error={errors.registryMirror}
          onChange={edit('registryMirror')}
        />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={!dirty || !valid}>
            Save
          </button>
          <button type="button" className="button" disabled={!dirty} onClick={() => setDraft(draftFrom(settings.values))}>
            Revert
          </button>
          <span className="form-status" role="status">
            {saved && !dirty ? 'Saved' : ''}
          </span>
          <span className="status-spacer" />
          <button type="button" className="button button-quiet" onClick={() => void reset()}>
            Reset all to defaults
          </button>
        </div>
      </form>

      <KubectlShelfPanel />

      <AboutPanel />
    </div>
  );
}

function isDirty(a: FormDraft, b: FormDraft): boolean {
  return (
    a.terminalFontSize !== b.terminalFontSize || a.terminalScrollback !== b.terminalScrollback || a.registryMirror !== b.registryMirror
  );
}

interface FieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: string;
  suffix?: string;
  placeholder?: string;
  inputMode?: 'numeric';
}

function Field({ label, value, onChange, error, hint, suffix, placeholder, inputMode }: FieldProps) {
  const id = useId();
  return (
    <FieldShell id={id} label={label} error={error} hint={hint}>
      <div className="field-input">
        <input
          id={id}
          value={value}
          placeholder={placeholder}
          inputMode={inputMode}
          spellCheck={false}
          aria-invalid={error ? true : undefined}
          aria-describedby={fieldDescribedBy(id, error, hint)}
          onChange={(event) => onChange(event.target.value)}
        />
        {suffix && <span className="field-suffix">{suffix}</span>}
      </div>
    </FieldShell>
  );
}
