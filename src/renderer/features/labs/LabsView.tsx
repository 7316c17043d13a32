import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { LabSummary } from '../../../shared/contract';
import { Banner } from '../../components/Banner';
import { EmptyState } from '../../components/EmptyState';
import { useAppStore } from '../../store/store-context';
import { DeleteLabDialog } from './DeleteLabDialog';
import { LabCard } from './LabCard';
import { LabDetail } from './LabDetail';
import { LabPlanForm } from './LabPlanForm';
import './labs.css';

/** Labs: the list with live status, the plan form, and the open lab's progress, logs and node pools. */
export function LabsView() {
  const { labs, error, openLab, form, hosts, actions } = useAppStore(
    useShallow((state) => ({
      labs: state.labs,
      error: state.labsError,
      openLab: state.openLab,
      form: state.labPlanForm,
      hosts: state.hosts,
      actions: state.labActions,
    })),
  );
  const loadLabs = useAppStore((state) => state.loadLabs);
  const loadHosts = useAppStore((state) => state.loadHosts);
  const startPlan = useAppStore((state) => state.startLabPlan);
  const open = useAppStore((state) => state.openLabDetail);
  const dismiss = useAppStore((state) => state.dismissLabError);
  const navigate = useAppStore((state) => state.navigate);
  const [deleting, setDeleting] = useState<string>();

  useEffect(() => {
    void loadLabs();
    void loadHosts();
  }, [loadLabs, loadHosts]);

  const list = labs ?? [];
  const hostName = (lab: LabSummary) => hosts?.find((host) => host.id === lab.hostId)?.name ?? lab.hostId;
  const opened = list.find((lab) => lab.name === openLab);
  const toDelete = list.find((lab) => lab.name === deleting);
  const noHosts = hosts !== undefined && hosts.length === 0;
  return (
    <div className="labs">
      {error && (
        <Banner tone="error" onDismiss={() => dismiss()}>
          {error.message}
        </Banner>
      )}
      <section aria-labelledby="labs-heading">
        <div className="section-header">
          <h2 id="labs-heading">Lab clusters</h2>
          {!form && (
            <button type="button" className="button button-primary" onClick={startPlan} disabled={noHosts}>
              Plan a lab
            </button>
          )}
        </div>
        {noHosts && !form && (
          <Banner tone="info">
            A lab runs on a lab host.{' '}
            <button type="button" className="button button-quiet lab-link" onClick={() => navigate('hosts')}>
              Add a host in the Hosts view
            </button>
          </Banner>
        )}
        {form && <LabPlanForm form={form} />}
        {labs === undefined ? (
          <p className="muted">Loading labs…</p>
        ) : list.length === 0 ? (
          !form && (
            <EmptyState icon="labs" title="No labs yet">
              <ul className="empty-state-points">
                <li>Plan a cluster: control planes, Linux and Windows workers, CNI, Kubernetes version, VM sizes.</li>
                <li>Check the plan against the host (the arithmetic is shown), list every command with a dry run, then create it.</li>
                <li>Watch each step with its logs, scale the node pools, and delete the lab cleanly when you are done.</li>
              </ul>
            </EmptyState>
          )
        ) : (
          <ul className="card-list" aria-label="Labs">
            {list.map((lab) => (
              <LabCard
                key={lab.name}
                lab={lab}
                hostName={hostName(lab)}
                open={lab.name === openLab}
                action={actions[lab.name]}
                onOpen={() => {
                  open(lab.name);
                  // The detail may be open already (no remount): take the keyboard there either way.
                  requestAnimationFrame(() => document.getElementById('lab-detail-heading')?.focus());
                }}
                onDelete={() => setDeleting(lab.name)}
              />
            ))}
          </ul>
        )}
      </section>
      {opened && <LabDetail key={opened.name} lab={opened} hostName={hostName(opened)} onDelete={() => setDeleting(opened.name)} />}
      {toDelete && <DeleteLabDialog lab={toDelete} hostName={hostName(toDelete)} onClose={() => setDeleting(undefined)} />}
    </div>
  );
}
