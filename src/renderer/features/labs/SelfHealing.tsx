import { useState } from 'react';
import { DEFAULT_SELF_HEALING, type LabSummary, type SelfHealingSettings } from '../../../shared/contract';
import { Banner } from '../../components/Banner';
import { useAppStore } from '../../store/store-context';
import { healingEventWords, healingSummary } from './self-healing-view';

/**
 * Self-healing of a lab's workers (opt-in): the settings (grace period, the meltdown guard's
 * limits and window), whether the guard tripped and why, and what self-healing did, each with
 * its reason. Control planes and cordoned workers are never recreated.
 */
export function SelfHealing({ lab }: { lab: LabSummary }) {
  const save = useAppStore((state) => state.setSelfHealing);
  const error = useAppStore((state) => state.selfHealingErrors[lab.name]);
  const current = lab.selfHealing?.settings ?? DEFAULT_SELF_HEALING;
  const [draft, setDraft] = useState<SelfHealingSettings>({ ...current });
  const [saving, setSaving] = useState(false);
  if (lab.plan.driver === 'existing') return null;
  const number = (key: 'graceSeconds' | 'maxMachines' | 'windowMinutes', min: number, max: number) => (
    <input
      type="number"
      min={min}
      max={max}
      value={draft[key]}
      onChange={(event) => setDraft({ ...draft, [key]: Math.max(min, Math.min(max, Math.round(Number(event.target.value) || min))) })}
    />
  );
  const submit = (settings: SelfHealingSettings) => {
    setSaving(true);
    void save(lab.name, settings).finally(() => setSaving(false));
  };
  const events = lab.selfHealing?.events ?? [];
  return (
    <section className="lab-self-healing" aria-labelledby={`self-healing-${lab.name}`}>
      <h3 id={`self-healing-${lab.name}`}>Self-healing</h3>
      <p role="status">{healingSummary(lab.selfHealing)}</p>
      {lab.selfHealing?.tripped !== undefined && (
        <Banner tone="error">The meltdown guard stopped self-healing: {lab.selfHealing.tripped.reason}</Banner>
      )}
      {error && <Banner tone="error">{error.message}</Banner>}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          submit({ ...draft, enabled: true });
        }}
      >
        <label>Recreate a worker whose node is NotReady for {number('graceSeconds', 30, 3600)} seconds</label>
        <label>
          Meltdown guard: at most {number('maxMachines', 1, 20)} machine(s) and{' '}
          <input
            type="number"
            min={5}
            max={100}
            value={Math.round(draft.maxFraction * 100)}
            onChange={(event) => setDraft({ ...draft, maxFraction: Math.max(5, Math.min(100, Number(event.target.value) || 5)) / 100 })}
          />
          % of the workers within {number('windowMinutes', 1, 1440)} minutes
        </label>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={saving}>
            {current.enabled && lab.selfHealing?.tripped === undefined
              ? 'Save settings'
              : lab.selfHealing?.tripped
                ? 'Re-arm self-healing'
                : 'Turn on self-healing'}
          </button>
          {current.enabled && (
            <button type="button" className="button" disabled={saving} onClick={() => submit({ ...draft, enabled: false })}>
              Turn off
            </button>
          )}
        </div>
      </form>
      {events.length > 0 && (
        <ol className="lab-self-healing-events" aria-label="What self-healing did">
          {[...events].reverse().map((event) => (
            <li key={`${event.at}:${event.kind}:${event.machine ?? ''}`}>
              <time dateTime={event.at}>{new Date(event.at).toLocaleTimeString()}</time> <strong>{healingEventWords(event)}</strong>{' '}
              {event.reason}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
