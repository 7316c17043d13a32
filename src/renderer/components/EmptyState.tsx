import type { ReactNode } from 'react';
import { Icon, type IconName } from './Icon';
import './empty-state.css';

export function EmptyState({ icon, title, children }: { icon: IconName; title: string; children: ReactNode }) {
  return (
    <div className="empty-state">
      <div className="empty-state-icon">
        <Icon name={icon} size={32} />
      </div>
      <h2>{title}</h2>
      {children}
    </div>
  );
}
