import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { LabSummary } from '../../../shared/contract';
import { Banner } from '../../components/Banner';
import { BlueGreen } from './BlueGreen';
import { EndpointAccess } from './EndpointAccess';
import { EtcdSnapshots } from './EtcdSnapshots';
import { LabSnapshots } from './LabSnapshots';
import { LabUpgrade } from './LabUpgrade';
import { useAppStore } from '../../store/store-context';
import { LabLogs, type LogFilter } from './LabLogs';
import { CNI_LABELS } from './lab-form';
import { canResume, driverLabels, labStatus, overallProgress } from './lab-progress';
import { MachineList } from './MachineList';
import { NodePools } from './NodePools';
import { OperationProgress } from './OperationProgress';
import { SelfHealing } from './SelfHealing';
import { StatusBadge } from '../../components/StatusBadge';
import { StepList } from './StepList';
import { useNow } from './use-now';

const noLines: never[] = [];

/**
 * One lab: what it is, its current (or last) operation step by step with the streamed logs,
 * cancel and resume, the endpoint and saved context once done, and its node pools.
 */
export function LabDetail({ lab, hostName, onDelete }: { lab: LabSummary; hostName: string; onDelete: () => void }) {
  const { lines, action, error } = useAppStore(
    useShallow((state) => ({
      lines: state.labLogs[lab.name] ?? noLines,
      action: state.labActions[lab.name],
      error: state.labErrors[lab.name],
    })),
  );
  const actions = useAppStore(
    useShallow((state) => ({
      loadLogs: state.loadLabLogs,
      resume: state.resumeLab,
      cancel: state.cancelLab,
      close: state.openLabDetail,
      dismiss: state.dismissLabError,
      navigate: state.navigate,
      openTopology: state.openTopology,
    })),
  );
  const hostAddress = useAppStore((state) => state.hosts?.find((host) => host.id === lab.hostId)?.address);
  const { loadLogs } = actions;
  const [filter, setFilter] = useState<LogFilter>({});
  const heading = useRef<HTMLHeadingElement>(null);
  const running = lab.status === 'running';
  const now = useNow(running);

  useEffect(() => {
    void loadLogs(lab.name);
    heading.current?.focus();
  }, [lab.name, loadLogs]);

  const status = labStatus(lab);
  const { plan } = lab;
  const steps = lab.operation?.steps ?? [];
  return (
    <section id="lab-detail" className="card lab-detail" aria-labelledby="lab-detail-heading">
      <div className="card-title">
        <h2 id="lab-detail-heading" ref={heading} tabIndex={-1}>
          {lab.name}
        </h2>
        <StatusBadge tone={status.tone} icon={status.icon} testId="lab-detail-status">
          {status.label}
        </StatusBadge>
        <span className="status-spacer" />
        {canResume(lab) && (
          <button
            type="button"
            className="button button-primary"
            disabled={action !== undefined}
            onClick={() => void actions.resume(lab.name)}
          >
            {action === 'resuming' ? 'Resuming…' : 'Resume'}
          </button>
        )}
        {running && (
          <button type="button" className="button" disabled={action !== undefined} onClick={() => void actions.cancel(lab.name)}>
            {action === 'cancelling' ? 'Cancelling after the commands in flight…' : 'Cancel'}
          </button>
        )}
        <button type="button" className="button button-quiet" onClick={onDelete}>
          Delete
        </button>
        <button type="button" className="button button-quiet" onClick={() => actions.close(undefined)}>
          Close
        </button>
      </div>
      {error && (
        <Banner tone="error" onDismiss={() => actions.dismiss(lab.name)}>
          {error.message}
        </Banner>
      )}
      {lab.operation?.error && lab.status !== 'running' && (
        <div className="diagnosis" role="group" aria-label="Why the operation stopped">
          <p>{lab.operation.error.message}</p>
          {canResume(lab) && <p>Resume continues from the step that stopped; steps already done are not run again.</p>}
        </div>
      )}

      <dl className="facts">
        <dt>Host</dt>
        <dd>
          {hostName} <span className="muted">· {driverLabels[plan.driver]}</span>
        </dd>
        <dt>Kubernetes</dt>
        <dd>
          {plan.distribution} {plan.kubernetesVersion} · {plan.controlPlaneCount} control plane{plan.controlPlaneCount === 1 ? '' : 's'},
          etcd {plan.etcd} · {CNI_LABELS[plan.cni]}
        </dd>
        {plan.driver !== 'existing' && (
          <>
            <dt>Network</dt>
            <dd>
              {plan.network.mode === 'nat' ? 'NAT' : `bridge ${plan.network.bridge ?? ''}`} <code>{plan.network.cidr}</code>, pool{' '}
              <code>
                {plan.network.poolStart}–{plan.network.poolEnd}
              </code>
            </dd>
          </>
        )}
        <dt>API endpoint</dt>
        <dd>
          <EndpointAccess
            plan={plan}
            host={{ name: hostName, ...(hostAddress === undefined ? {} : { address: hostAddress }) }}
            reached={lab.endpointAccess}
          />
        </dd>
        <dt>Context</dt>
        <dd data-testid="lab-context">
          {lab.context ? (
            <>
              <code>{lab.context}</code> saved in Clusters{' '}
              <button type="button" className="button button-quiet lab-link" onClick={() => actions.navigate('clusters')}>
                Show in Clusters
              </button>
              <button
                type="button"
                className="button button-quiet lab-link"
                onClick={() => {
                  void actions.openTopology(lab.context!);
                  actions.navigate('topology');
                }}
              >
                Show topology
              </button>
            </>
          ) : (
            <span className="muted">saved once the kubeconfig is fetched and verified</span>
          )}
        </dd>
      </dl>

      {lab.operation && <OperationProgress lab={lab} operation={lab.operation} progress={overallProgress(lab)} now={now} />}
      <StepList steps={steps} now={now} selectedStep={filter.stepId} onShowLogs={(stepId) => setFilter({ stepId })} />

      <h3>Machines</h3>
      <MachineList lab={lab} selectedVm={filter.vm} onShowLogs={(vm) => setFilter({ vm })} />
      {lab.operation?.kind !== 'delete' && <SelfHealing lab={lab} />}

      {lab.operation?.kind !== 'delete' && <NodePools lab={lab} />}
      {lab.operation?.kind !== 'delete' && <LabSnapshots lab={lab} />}
      {lab.operation?.kind !== 'delete' && <LabUpgrade lab={lab} />}
      {lab.operation?.kind !== 'delete' && <EtcdSnapshots lab={lab} />}
      {lab.operation?.kind !== 'delete' && <BlueGreen lab={lab} />}

      <LabLogs lines={lines} steps={steps} machines={lab.machines} filter={filter} onFilter={setFilter} />
    </section>
  );
}
