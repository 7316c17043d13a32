import { useState, type ReactNode } from 'react';
import { Dialog } from './Dialog';

/**
 * A dialog that asks before an operation starts: what it will do (and any fields it takes), then
 * Cancel and the confirming button. Confirming calls `onConfirm` once (a second Enter does
 * nothing), says "Starting…" meanwhile, closes once the operation started, and stays open with
 * its fields as they were when it did not (the store says why).
 */
export function ConfirmDialog({
  title,
  confirm,
  tone = 'primary',
  className,
  onConfirm,
  onClose,
  children,
}: {
  title: string;
  /** The confirming button's word ("Revert", "Drain and shut down"). */
  confirm: string;
  /** danger: for what loses data (a revert, a restore). */
  tone?: 'primary' | 'danger';
  className?: string;
  /** Starts the operation; true when it started. */
  onConfirm: () => Promise<boolean>;
  onClose: () => void;
  children: ReactNode;
}) {
  const [starting, setStarting] = useState(false);
  return (
    <Dialog title={title} onClose={onClose} busy={starting} className={className}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (starting) return;
          setStarting(true);
          void onConfirm().then((started) => (started ? onClose() : setStarting(false)));
        }}
      >
        {children}
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose} disabled={starting}>
            Cancel
          </button>
          <button type="submit" className={`button button-${tone}`} disabled={starting}>
            {starting ? 'Starting…' : confirm}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
