import { useId, useState, type FormEvent } from 'react';
import type { HostSummary } from '../../../shared/contract';
import type { SerializedError } from '../../../shared/errors';
import { Banner } from '../../components/Banner';
import { useAppStore } from '../../store/store-context';
import { Dialog } from '../../components/Dialog';
import { fieldDescribedBy, FieldShell } from '../../components/Field';
import {
  buildSubmission,
  defaultStoragePath,
  draftFromHost,
  emptyDraft,
  fieldErrorFrom,
  savedSecretHint,
  type AuthKind,
  type DraftErrors,
  type DraftField,
  type HostDraft,
} from './host-form';

const authChoices: { kind: AuthKind; label: string }[] = [
  { kind: 'agent', label: 'ssh-agent' },
  { kind: 'keyFile', label: 'Key file' },
  { kind: 'pastedKey', label: 'Pasted key' },
  { kind: 'password', label: 'Password' },
];

/**
 * Add or edit a host. Errors show beside their field as soon as the user has tried to save (and
 * then as they type); what was typed is never thrown away, secrets are never pre-filled.
 */
export function HostFormDialog({ host, hosts, onClose }: { host?: HostSummary; hosts: HostSummary[]; onClose: () => void }) {
  const saveHost = useAppStore((state) => state.saveHost);
  const [draft, setDraft] = useState<HostDraft>(() => (host ? draftFromHost(host) : emptyDraft()));
  const [attempted, setAttempted] = useState(false);
  const [saving, setSaving] = useState(false);
  const [serverErrors, setServerErrors] = useState<DraftErrors>({});
  const [formError, setFormError] = useState<SerializedError | undefined>();

  const submission = buildSubmission(draft, host);
  const errors: DraftErrors = { ...(attempted ? submission.errors : {}), ...serverErrors };
  const edit = <K extends keyof HostDraft>(field: K, value: HostDraft[K]) => {
    setDraft((current) => ({ ...current, [field]: value }));
    // A server-side complaint about a field goes away once the user changes that field.
    if (field in serverErrors) setServerErrors(({ [field as DraftField]: _dropped, ...rest }) => rest);
  };
  const text = (field: DraftField) => ({
    value: draft[field],
    error: errors[field],
    onChange: (value: string) => edit(field, value),
  });

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setAttempted(true);
    if (Object.keys(submission.errors).length > 0) {
      // Take the keyboard to the first field that needs fixing, once React has marked it.
      const form = event.currentTarget as HTMLFormElement;
      requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    if (saving) return;
    if (host && submission.patch && Object.keys(submission.patch).length === 0) {
      onClose();
      return;
    }
    setSaving(true);
    setFormError(undefined);
    const result = await saveHost(host ? { hostId: host.id, patch: submission.patch ?? {} } : { input: submission.input! });
    setSaving(false);
    if (result.ok) {
      onClose();
      return;
    }
    const placed = fieldErrorFrom(result.error);
    if (placed) setServerErrors({ [placed.field]: placed.message });
    else setFormError(result.error);
  }

  const jumpCandidates = hosts.filter((candidate) => candidate.id !== host?.id);
  return (
    <Dialog title={host ? `Edit ${host.name}` : 'Add a lab host'} onClose={onClose} busy={saving} className="host-form-dialog">
      <form className="host-form" onSubmit={(event) => void onSubmit(event)} noValidate aria-label={host ? 'Edit host' : 'Add host'}>
        {formError && <Banner tone="error">{formError.message}</Banner>}
        <div className="host-form-grid">
          <TextField label="Name" placeholder="lab-1" {...text('name')} />
          <TextField label="Address" placeholder="192.168.1.20 or lab-1.local" {...text('address')} />
          <TextField label="Port" inputMode="numeric" width="narrow" {...text('port')} />
          <TextField label="User" placeholder="root or a sudoer" {...text('user')} />
        </div>

        <fieldset className="host-form-set">
          <legend>Operating system</legend>
          <div className="segmented" role="radiogroup" aria-label="Operating system">
            {(['linux', 'windows'] as const).map((os) => (
              <label key={os} className="segment">
                <input type="radio" name="os" value={os} checked={draft.os === os} onChange={() => edit('os', os)} />
                {os === 'linux' ? 'Linux (KVM / libvirt)' : 'Windows (Hyper-V over OpenSSH)'}
              </label>
            ))}
          </div>
        </fieldset>

        <fieldset className="host-form-set">
          <legend>Sign in with</legend>
          <div className="segmented" role="radiogroup" aria-label="Sign in with">
            {authChoices.map((choice) => (
              <label key={choice.kind} className="segment">
                <input
                  type="radio"
                  name="auth"
                  value={choice.kind}
                  checked={draft.authKind === choice.kind}
                  onChange={() => edit('authKind', choice.kind)}
                />
                {choice.label}
              </label>
            ))}
          </div>
          {draft.authKind === 'agent' && (
            <p className="field-hint">Nestlab asks the ssh-agent at $SSH_AUTH_SOCK for a key. Nothing is saved.</p>
          )}
          {draft.authKind === 'keyFile' && (
            <>
              <TextField
                label="Key file path"
                placeholder="~/.ssh/id_ed25519"
                {...text('keyPath')}
                hint="Read when connecting; the file stays where it is."
              />
              <SecretField label="Key passphrase (optional)" {...text('passphrase')} saved={savedSecretHint(host, 'passphrase')} />
            </>
          )}
          {draft.authKind === 'pastedKey' && (
            <>
              <TextArea label="Private key" {...text('privateKey')} saved={savedSecretHint(host, 'privateKey')} />
              <SecretField label="Key passphrase (optional)" {...text('passphrase')} saved={savedSecretHint(host, 'passphrase')} />
            </>
          )}
          {draft.authKind === 'password' && (
            <SecretField label="Password" {...text('password')} saved={savedSecretHint(host, 'password')} />
          )}
        </fieldset>

        <fieldset className="host-form-set">
          <legend>More</legend>
          <div className="field">
            <label htmlFor="host-jump">Jump host</label>
            <select id="host-jump" className="select" value={draft.jumpHostId} onChange={(event) => edit('jumpHostId', event.target.value)}>
              <option value="">None: connect directly</option>
              {jumpCandidates.map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {candidate.name} ({candidate.user}@{candidate.address})
                </option>
              ))}
            </select>
            {errors.jumpHostId && <p className="field-error">{errors.jumpHostId}</p>}
          </div>
          {draft.os === 'linux' && (
            <TextField
              label="VM storage path"
              placeholder={defaultStoragePath}
              {...text('storagePath')}
              hint="Where lab VM disks go; the preflight checks its free space."
            />
          )}
          {draft.os === 'linux' && (
            <SecretField
              label="sudo password (optional)"
              {...text('sudoPassword')}
              saved={savedSecretHint(host, 'sudoPassword')}
              hint="Only for hosts whose sudo asks for one. Sent over stdin to sudo, never on a command line."
            />
          )}
          {host?.hasSudoPassword && draft.sudoPassword === '' && (
            <label className="checkbox">
              <input
                type="checkbox"
                checked={draft.removeSudoPassword}
                onChange={(event) => edit('removeSudoPassword', event.target.checked)}
              />
              Remove the saved sudo password
            </label>
          )}
        </fieldset>

        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={saving}>
            {saving ? 'Saving…' : host ? 'Save changes' : 'Add host'}
          </button>
          <button type="button" className="button" onClick={onClose} disabled={saving}>
            Cancel
          </button>
          {attempted && Object.keys(errors).length > 0 && (
            <span className="field-error" role="alert">
              Fix the marked fields.
            </span>
          )}
        </div>
      </form>
    </Dialog>
  );
}

interface TextFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  hint?: string;
  placeholder?: string;
  inputMode?: 'numeric';
  width?: 'narrow';
}

function TextField({ label, value, onChange, error, hint, placeholder, inputMode, width }: TextFieldProps) {
  const id = useId();
  return (
    <FieldShell id={id} label={label} error={error} hint={hint}>
      <input
        id={id}
        className={width === 'narrow' ? 'input-narrow' : undefined}
        value={value}
        placeholder={placeholder}
        inputMode={inputMode}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={fieldDescribedBy(id, error, hint)}
        onChange={(event) => onChange(event.target.value)}
      />
    </FieldShell>
  );
}

/** A secret: never pre-filled; "Saved" says one is kept. */
function SecretField({ label, value, onChange, error, hint, saved }: TextFieldProps & { saved?: string | undefined }) {
  const id = useId();
  const shownHint = [saved, hint].filter(Boolean).join(' ');
  return (
    <FieldShell id={id} label={label} error={error} hint={shownHint || undefined}>
      <input
        id={id}
        type="password"
        value={value}
        placeholder={saved ? '•••••••• saved' : undefined}
        autoComplete="new-password"
        aria-invalid={error ? true : undefined}
        aria-describedby={fieldDescribedBy(id, error, shownHint)}
        onChange={(event) => onChange(event.target.value)}
      />
    </FieldShell>
  );
}

function TextArea({ label, value, onChange, error, saved }: TextFieldProps & { saved?: string | undefined }) {
  const id = useId();
  const hint = saved ?? 'The whole file, from -----BEGIN to -----END. It is saved encrypted and never shown again.';
  return (
    <FieldShell id={id} label={label} error={error} hint={hint}>
      <textarea
        id={id}
        className="key-textarea"
        value={value}
        rows={5}
        spellCheck={false}
        autoComplete="off"
        placeholder={saved ? 'Saved. Paste a new key to replace it.' : '-----BEGIN OPENSSH PRIVATE KEY-----'}
        aria-invalid={error ? true : undefined}
        aria-describedby={fieldDescribedBy(id, error, hint)}
        onChange={(event) => onChange(event.target.value)}
      />
    </FieldShell>
  );
}
