import type { ReactNode } from 'react';
import type { IconName } from './Icon';
import { Icon } from './Icon';
import './status-badge.css';

/** The colours a badge can take; every view's status words map onto these. */
export type StatusTone = 'ok' | 'bad' | 'warn' | 'busy' | 'neutral' | 'accent';

/** A status as the views compute it: the words, their tone, and the icon drawn before them. */
export interface StatusLabel {
  label: string;
  tone: StatusTone;
  icon: IconName;
}

/** Glyphs of the inline form: text, not SVG, since a topology map draws thousands of them. */
const glyphs: Record<StatusTone, string> = { ok: '✓', bad: '✕', warn: '!', busy: '…', neutral: '?', accent: '•' };

/**
 * A status in words; the icon, dot or glyph and the colour only repeat what the words say.
 * The default is a pill; `inline` is the compact form for tables and topology boxes: coloured
 * words, no border. Before the words: `icon` if given, else a dot (pill) or a glyph (inline).
 */
export function StatusBadge({
  tone,
  icon,
  inline = false,
  testId,
  children,
}: {
  tone: StatusTone;
  icon?: IconName;
  inline?: boolean;
  testId?: string;
  children: ReactNode;
}) {
  let mark: ReactNode;
  if (icon) {
    mark = <Icon name={icon} size={14} />;
  } else if (inline) {
    mark = (
      <span aria-hidden="true" className="badge-glyph">
        {glyphs[tone]}
      </span>
    );
  } else {
    mark = <span aria-hidden="true" className="badge-dot" />;
  }
  return (
    <span className={`badge badge-${tone}${inline ? ' badge-inline' : ''}`} data-testid={testId}>
      {mark}
      {children}
    </span>
  );
}
