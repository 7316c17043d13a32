import { useState } from 'react';
import type { HostSummary } from '../../../shared/contract';
import { useAppStore } from '../../store/store-context';
import { Dialog } from '../../components/Dialog';

/** Removing a host deletes its saved secrets and accepted key too, so it is confirmed. */
export function RemoveHostDialog({ host, onClose }: { host: HostSummary; onClose: () => void }) {
  const remove = useAppStore((state) => state.removeHost);
  const [removing, setRemoving] = useState(false);
  return (
    <Dialog title={`Remove ${host.name}?`} onClose={onClose} busy={removing} initialFocus=".button-cancel">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setRemoving(true);
          void remove(host.id).finally(onClose);
        }}
      >
        <p>Nestlab forgets this host, its saved password or key and its accepted host key. Nothing on the host itself changes.</p>
        <div className="form-actions">
          <button type="submit" className="button button-danger" disabled={removing}>
            {removing ? 'Removing…' : 'Remove host'}
          </button>
          <button type="button" className="button button-cancel" onClick={onClose} disabled={removing}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
