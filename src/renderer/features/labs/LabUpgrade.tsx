import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { LabSummary } from '../../../shared/contract';
import { Banner } from '../../components/Banner';
import { useAppStore } from '../../store/store-context';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { upgradeBlockedReason, upgradeTargets } from './upgrade-view';

/** Upgrade a kubeadm lab one minor version, behind a confirmation that lists what happens. */
export function LabUpgrade({ lab }: { lab: LabSummary }) {
  const { starting, error } = useAppStore(
    useShallow((state) => ({ starting: state.labUpgradesStarting[lab.name] === true, error: state.labUpgradeErrors[lab.name] })),
  );
  const dismiss = useAppStore((state) => state.dismissLabUpgradeError);
  const targets = upgradeTargets(lab);
  const [target, setTarget] = useState(targets[0] ?? '');
  const [confirming, setConfirming] = useState(false);
  const blocked = upgradeBlockedReason(lab);
  const chosen = targets.includes(target) ? target : (targets[0] ?? '');
  return (
    <section className="card-section" aria-labelledby={`lab-upgrade-${lab.name}`} data-testid="lab-upgrade">
      <h3 id={`lab-upgrade-${lab.name}`}>Upgrade Kubernetes</h3>
      {error && (
        <Banner tone="error" onDismiss={() => dismiss(lab.name)}>
          {error.message}
        </Banner>
      )}
      <form
        className="lab-section-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (!blocked && !starting) setConfirming(true);
        }}
      >
        <label>
          From {lab.plan.kubernetesVersion} to{' '}
          <select value={chosen} onChange={(event) => setTarget(event.target.value)} disabled={targets.length === 0}>
            {targets.map((version) => (
              <option key={version} value={version}>
                {version}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="button" disabled={blocked !== undefined || starting}>
          Upgrade…
        </button>
        {blocked && <span className="muted">{blocked}</span>}
      </form>
      {confirming && <UpgradeDialog lab={lab} target={chosen} onClose={() => setConfirming(false)} />}
    </section>
  );
}

function UpgradeDialog({ lab, target, onClose }: { lab: LabSummary; target: string; onClose: () => void }) {
  const upgrade = useAppStore((state) => state.upgradeLab);
  return (
    <ConfirmDialog
      title={`Upgrade ${lab.name} to ${target}?`}
      confirm="Upgrade"
      className="lab-restore-dialog"
      onConfirm={() => upgrade(lab.name, { kubernetesVersion: target })}
      onClose={onClose}
    >
      <ol aria-label="What the upgrade does">
        <li>On the first control plane: kubeadm {target}, kubeadm upgrade plan, then kubeadm upgrade apply.</li>
        <li>Then each node in turn, control planes first: kubeadm upgrade node, cordon and drain it (PodDisruptionBudgets honoured).</li>
        <li>kubelet and kubectl {target} from pkgs.k8s.io, the kubelet restarted, the node Ready again, uncordoned.</li>
      </ol>
      <p>A lab snapshot first lets you go back if something goes wrong. Stopped or failed, the upgrade resumes where it stopped.</p>
    </ConfirmDialog>
  );
}
