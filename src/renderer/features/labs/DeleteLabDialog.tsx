import { useState } from 'react';
import type { LabSummary } from '../../../shared/contract';
import { useAppStore } from '../../store/store-context';
import { Dialog } from '../../components/Dialog';
import { sortMachines } from './lab-progress';

/**
 * Deleting a lab is confirmed by typing its name, after a list of exactly what goes: the VMs, their
 * disks and seed images, the lab's folder and the saved kubeconfig context. Nothing else on the host.
 */
export function DeleteLabDialog({ lab, hostName, onClose }: { lab: LabSummary; hostName: string; onClose: () => void }) {
  const remove = useAppStore((state) => state.removeLab);
  const [typed, setTyped] = useState('');
  const [removing, setRemoving] = useState(false);
  const matches = typed === lab.name;
  const existing = lab.plan.driver === 'existing';
  const vms = sortMachines(lab.machines).map((machine) => machine.name);
  return (
    <Dialog title={`Delete lab ${lab.name}?`} onClose={onClose} busy={removing} className="lab-delete-dialog">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!matches || removing) return;
          setRemoving(true);
          void remove(lab.name).then((started) => (started ? onClose() : setRemoving(false)));
        }}
      >
        {lab.status === 'running' && <p>The running operation is cancelled first.</p>}
        <p>{existing ? 'These go from the machines:' : `These go from ${hostName}:`}</p>
        <ul className="plain-list lab-delete-list" aria-label="What is deleted">
          {existing ? (
            <li>Kubernetes on the machines ({vms.join(', ')}): the machines themselves stay.</li>
          ) : (
            <>
              <li>
                {vms.length} VM{vms.length === 1 ? '' : 's'}: <code>{vms.join(', ')}</code>
              </li>
              <li>their disks and cloud-init seed images</li>
              <li>
                the lab’s folder on the host (with its SSH key)
                {lab.plan.network.mode === 'nat' ? ' and its NAT network' : `; the bridge ${lab.plan.network.bridge ?? ''} stays`}
              </li>
            </>
          )}
          <li>
            {lab.context ? (
              <>
                the kubeconfig context <code>{lab.context}</code> saved in Clusters
              </>
            ) : (
              'no kubeconfig (none was saved yet)'
            )}
          </li>
        </ul>
        <p>Nothing else on the host changes: other VMs, base images and networks stay.</p>
        <div className="field">
          <label htmlFor="lab-delete-confirm">
            Type <strong>{lab.name}</strong> to confirm
          </label>
          <input
            id="lab-delete-confirm"
            value={typed}
            autoComplete="off"
            spellCheck={false}
            onChange={(event) => setTyped(event.target.value)}
            aria-describedby="lab-delete-confirm-hint"
          />
          <p className="field-hint" id="lab-delete-confirm-hint">
            {typed !== '' && !matches ? 'The name does not match yet.' : 'Enter deletes once the name matches; Escape keeps the lab.'}
          </p>
        </div>
        <div className="form-actions">
          <button type="submit" className="button button-danger" disabled={!matches || removing}>
            {removing ? 'Deleting…' : 'Delete lab'}
          </button>
          <button type="button" className="button button-cancel" onClick={onClose} disabled={removing}>
            Keep the lab
          </button>
        </div>
      </form>
    </Dialog>
  );
}
