import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { LabLogLine, LabMachine, LabStep } from '../../../shared/contract';
import { sortMachines } from './lab-progress';

/** Lines drawn at once; older ones stay in the store (and the filter narrows to them). */
const SHOWN_LINES = 1000;

export interface LogFilter {
  stepId?: string | undefined;
  vm?: string | undefined;
}

const streamMarks: Record<LabLogLine['stream'], string> = { command: '$', stdout: ' ', stderr: '!', info: '#' };
const streamNames: Record<LabLogLine['stream'], string> = { command: 'command', stdout: 'output', stderr: 'error output', info: 'Nestlab' };

function clock(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString([], { hour12: false });
}

/**
 * The operation's log, streamed: every step and VM, or one of them. Follow keeps the newest line
 * in view; scrolling up stops following, scrolling back to the bottom (or the checkbox) resumes.
 */
export function LabLogs({
  lines,
  steps,
  machines,
  filter,
  onFilter,
}: {
  lines: LabLogLine[];
  steps: LabStep[];
  machines: LabMachine[];
  filter: LogFilter;
  onFilter: (filter: LogFilter) => void;
}) {
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLDivElement>(null);
  const lastUserScroll = useRef(0);
  const userScrolls = () => {
    lastUserScroll.current = Date.now();
  };
  const filtered = useMemo(
    () => lines.filter((line) => (!filter.stepId || line.stepId === filter.stepId) && (!filter.vm || line.vm === filter.vm)),
    [lines, filter.stepId, filter.vm],
  );
  const shown = filtered.slice(-SHOWN_LINES);

  useLayoutEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [follow, shown.length, lines]);

  const stepTitle = (id: string) => steps.find((step) => step.id === id)?.title ?? id;
  return (
    <section className="lab-logs" aria-labelledby="lab-logs-heading">
      <div className="lab-logs-toolbar">
        <h3 id="lab-logs-heading">Logs</h3>
        <label>
          Step{' '}
          <select
            className="select"
            value={filter.stepId ?? ''}
            onChange={(event) => onFilter({ ...filter, stepId: event.target.value || undefined })}
          >
            <option value="">Every step</option>
            {steps.map((step) => (
              <option key={step.id} value={step.id}>
                {step.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          VM{' '}
          <select
            className="select"
            value={filter.vm ?? ''}
            onChange={(event) => onFilter({ ...filter, vm: event.target.value || undefined })}
          >
            <option value="">Every VM and the host</option>
            {sortMachines(machines).map((machine) => (
              <option key={machine.name} value={machine.name}>
                {machine.name}
              </option>
            ))}
          </select>
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={follow} onChange={(event) => setFollow(event.target.checked)} />
          Follow
        </label>
        <span className="muted lab-logs-count" data-testid="log-count">
          {filtered.length > shown.length ? `last ${shown.length} of ${filtered.length} lines` : `${filtered.length} lines`}
        </span>
      </div>
      <div
        ref={box}
        className="lab-log-lines"
        role="log"
        aria-live="off"
        aria-label={`Log lines${filter.stepId ? ` of ${stepTitle(filter.stepId)}` : ''}${filter.vm ? ` on ${filter.vm}` : ''}`}
        tabIndex={0}
        onWheel={userScrolls}
        onKeyDown={userScrolls}
        onPointerDown={userScrolls}
        onScroll={(event) => {
          const el = event.currentTarget;
          const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
          // Only the user's own scrolling stops following (new lines and filters move the box too).
          if (atBottom && !follow) setFollow(true);
          else if (!atBottom && follow && Date.now() - lastUserScroll.current < 1000) setFollow(false);
        }}
      >
        {shown.length === 0 ? (
          <p className="muted">No lines{filter.stepId || filter.vm ? ' for this filter' : ' yet'}.</p>
        ) : (
          shown.map((line, index) => (
            <div key={index} className={`lab-log-line lab-log-${line.stream}`} data-step={line.stepId}>
              <span className="lab-log-time">{clock(line.at)}</span>
              <span className="lab-log-source">{line.vm ?? (line.stepId === 'operation' ? '' : 'host')}</span>
              <span className="lab-log-mark" title={streamNames[line.stream]} aria-label={streamNames[line.stream]}>
                {streamMarks[line.stream]}
              </span>
              <span className="lab-log-text">{line.text}</span>
            </div>
          ))
        )}
      </div>
    </section>
  );
}
