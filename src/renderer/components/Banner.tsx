import type { ReactNode } from 'react';
import { Icon } from './Icon';
import './banner.css';

/** A message above the content; `role="alert"` for problems so screen readers announce them. */
export function Banner({ tone, children, onDismiss }: { tone: 'warning' | 'error' | 'info'; children: ReactNode; onDismiss?: () => void }) {
  return (
    <div className={`banner banner-${tone}`} role={tone === 'info' ? 'status' : 'alert'}>
      <Icon name={tone === 'info' ? 'info' : 'alert'} />
      <div className="banner-text">{children}</div>
      {onDismiss && (
        <button type="button" className="icon-button" onClick={onDismiss} aria-label="Dismiss">
          <Icon name="close" size={16} />
        </button>
      )}
    </div>
  );
}
