import { useState } from 'react';
import type { CommandTarget, PlannedStep } from '../../../shared/contract';
import { Icon } from '../../components/Icon';

function targetLabel(target: CommandTarget): string {
  return target.kind === 'host' ? 'on the host' : target.kind === 'vm' ? `on ${target.vm}` : 'on this computer';
}

function stepText(step: PlannedStep): string {
  return step.commands
    .map((command) => `# ${targetLabel(command.target)}${command.root ? ' (as root)' : ''}\n${command.display}`)
    .join('\n\n');
}

/** Copies text; says whether it worked (the clipboard can be refused). */
function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button
      type="button"
      className="button button-quiet lab-copy"
      aria-label={label}
      onClick={() =>
        void navigator.clipboard.writeText(text).then(
          () => setState('copied'),
          () => setState('failed'),
        )
      }
    >
      <Icon name="copy" size={16} />
      <span aria-live="polite">{state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy refused: select the text' : 'Copy'}</span>
    </button>
  );
}

/** The dry run: every step in order, and every command it would run, where and whether as root. */
export function DryRunList({ steps }: { steps: PlannedStep[] }) {
  const commands = steps.reduce((sum, step) => sum + step.commands.length, 0);
  const all = steps.map((step) => `## ${step.title}\n${stepText(step)}`).join('\n\n');
  return (
    <section className="lab-dry-run" aria-labelledby="lab-dry-run-heading" data-testid="dry-run">
      <div className="section-header">
        <h3 id="lab-dry-run-heading">
          Dry run: {steps.length} steps, {commands} commands. Nothing ran.
        </h3>
        <CopyButton text={all} label="Copy every command" />
      </div>
      <ol className="lab-dry-run-steps">
        {steps.map((step) => (
          <li key={step.id} data-step={step.id}>
            <div className="lab-dry-run-title">
              <strong>{step.title}</strong>
              {step.commands.length > 0 && <CopyButton text={stepText(step)} label={`Copy the commands of ${step.title}`} />}
            </div>
            {step.commands.length === 0 ? (
              <p className="muted">No command: this step only observes.</p>
            ) : (
              <ul className="lab-commands">
                {step.commands.map((command, index) => (
                  <li key={index}>
                    <span className="muted lab-command-target">
                      {targetLabel(command.target)}
                      {command.root ? ', as root' : ''}
                    </span>
                    <pre className="lab-command" tabIndex={0}>
                      {command.display}
                    </pre>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
