import { useRef, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { type HostSummary } from '../../../shared/contract';
import { OFFERED_KUBERNETES_VERSIONS } from '../../../shared/kubernetes-versions';
import { Banner } from '../../components/Banner';
import { AllocatedRanges } from './AllocatedRanges';
import type { LabPlanForm as FormState } from './labs-slice';
import { useAppStore } from '../../store/store-context';
import { CheckResult } from './CheckResult';
import { DryRunList } from './DryRunList';
import { ExistingMachinesField } from './ExistingMachinesField';
import {
  CNI_LABELS,
  LINUX_WORKER_MAX,
  networkNote,
  planFromDraft,
  WINDOWS_WORKER_MAX,
  type DraftErrors,
  type DraftField,
  type LabDraft,
} from './lab-form';
import { ChoiceField, CountSlider, SelectField, TextField } from './PlanFields';
import { SizeFields } from './SizeFields';
import { VersionHint } from './VersionHint';
import { WindowsTaintField } from './WindowsTaintField';

export type EditDraft = <K extends DraftField>(field: K, value: LabDraft[K]) => void;

/** Moves the keyboard to the first field that needs fixing, once React has marked it. */
function focusFirstProblem(form: HTMLFormElement | null) {
  requestAnimationFrame(() => form?.querySelector<HTMLElement>('input[aria-invalid="true"], select[aria-invalid="true"]')?.focus());
}

/**
 * The new-lab plan: every field of the contract's LabPlan, starting from defaultLabPlan() for
 * the chosen host. Enter checks the plan; Create checks again and only then creates. Refusals and
 * errors never clear what was typed.
 */
export function LabPlanForm({ form }: { form: FormState }) {
  const hosts = useAppStore((state) => state.hosts) ?? [];
  const actions = useAppStore(
    useShallow((state) => ({
      edit: state.editLabDraft,
      check: state.checkLabPlan,
      dryRun: state.dryRunLabPlan,
      create: state.createLab,
      close: state.closeLabPlan,
    })),
  );
  const ref = useRef<HTMLFormElement>(null);
  const { draft } = form;
  const conversion = planFromDraft(draft);
  const errors: DraftErrors = { ...(form.attempted ? conversion.errors : {}), ...form.serverErrors };
  const edit: EditDraft = actions.edit;
  const bind: Bind = (path) => ({ path, value: draft[path], error: errors[path], onChange: (value) => edit(path, value) });
  const host = hosts.find((candidate) => candidate.id === draft.hostId);
  const busy = form.busy !== undefined;

  const run = async (action: () => Promise<unknown>) => {
    await action();
    focusFirstProblem(ref.current);
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void run(actions.check);
  };

  return (
    <section className="card lab-plan" aria-labelledby="lab-plan-heading">
      <h2 id="lab-plan-heading">Plan a lab</h2>
      <form ref={ref} className="lab-plan-form" onSubmit={onSubmit} noValidate aria-label="Lab plan">
        {form.error && <Banner tone="error">{form.error.message}</Banner>}
        <PlanBasics draft={draft} bind={bind} hosts={hosts} host={host} />
        <PlanShape draft={draft} bind={bind} />
        <SizeFields draft={draft} errors={errors} bind={bind} />
        <PlanNetwork draft={draft} bind={bind} />
        <AllocatedRanges form={form} hostName={host?.name} bind={bind} />
        <PlanImages draft={draft} bind={bind} />
        {draft.driver === 'existing' && <ExistingMachinesField hosts={hosts} {...bind('existingMachines')} />}

        <div className="form-actions lab-plan-actions">
          <button type="submit" className="button" disabled={busy}>
            {form.busy === 'checking' ? 'Checking…' : 'Check plan'}
          </button>
          <button type="button" className="button" disabled={busy} onClick={() => void run(actions.dryRun)}>
            {form.busy === 'dry-run' ? 'Listing commands…' : 'Dry run'}
          </button>
          <button type="button" className="button button-primary" disabled={busy} onClick={() => void run(actions.create)}>
            {form.busy === 'creating' ? 'Checking and creating…' : 'Create lab'}
          </button>
          <button type="button" className="button button-quiet" disabled={busy} onClick={actions.close}>
            Cancel
          </button>
          <span className="form-status-line" role="status" aria-live="polite">
            {form.busy === 'checking' || form.busy === 'creating' ? `Probing ${host?.name ?? 'the host'} for its free capacity…` : ''}
            {form.attempted && !busy && Object.keys(errors).length > 0 ? 'Fix the marked fields.' : ''}
          </span>
        </div>
      </form>
      {form.check && <CheckResult check={form.check} />}
      {form.dryRun && <DryRunList steps={form.dryRun} />}
    </section>
  );
}

/** A field's value, error and change handler, from its dotted plan path. */
export type Bind = <K extends DraftField>(
  path: K,
) => { path: K; value: LabDraft[K]; error: string | undefined; onChange: (value: LabDraft[K]) => void };

interface SectionProps {
  draft: LabDraft;
  bind: Bind;
}

function hostLabel(host: HostSummary): string {
  return `${host.name} (${host.os === 'linux' ? 'Linux' : 'Windows'}, ${host.user}@${host.address})`;
}

function PlanBasics({ draft, bind, hosts, host }: SectionProps & { hosts: HostSummary[]; host: HostSummary | undefined }) {
  return (
    <fieldset className="lab-form-set">
      <legend>Lab</legend>
      <div className="lab-form-grid">
        <TextField
          label="Name"
          hint="Names the VMs (lab1-cp1), the host names and the kubeconfig context."
          placeholder="lab1"
          {...bind('name')}
        />
        <SelectField
          label="Host"
          options={[
            ...(host ? [] : [{ value: '', label: hosts.length === 0 ? 'No hosts: add one in the Hosts view' : 'Choose a host' }]),
            ...hosts.map((candidate) => ({ value: candidate.id, label: hostLabel(candidate) })),
          ]}
          {...bind('hostId')}
        />
      </div>
      <ChoiceField
        label="VM driver"
        options={[
          { value: 'libvirt', label: 'libvirt (KVM)', disabledReason: host?.os === 'windows' ? 'libvirt needs a Linux host.' : undefined },
          { value: 'hyperv', label: 'Hyper-V', disabledReason: host?.os === 'linux' ? 'Hyper-V needs a Windows host.' : undefined },
          { value: 'existing', label: 'Existing machines over SSH' },
        ]}
        hint={
          draft.driver === 'existing'
            ? 'Nothing is created or deleted: Kubernetes is installed on hosts of your inventory.'
            : 'Chosen from the host’s OS.'
        }
        {...bind('driver')}
      />
      <div className="lab-form-grid">
        <ChoiceField
          label="Distribution"
          options={[
            { value: 'kubeadm', label: 'kubeadm' },
            { value: 'k3s', label: 'k3s' },
          ]}
          {...bind('distribution')}
        />
        <TextField
          label="Kubernetes version"
          suggestions={OFFERED_KUBERNETES_VERSIONS}
          hint={<VersionHint version={draft.kubernetesVersion} distribution={draft.distribution} />}
          narrow
          {...bind('kubernetesVersion')}
        />
      </div>
    </fieldset>
  );
}

function PlanShape({ draft, bind }: SectionProps) {
  return (
    <fieldset className="lab-form-set">
      <legend>Nodes</legend>
      <div className="lab-form-grid">
        <ChoiceField
          label="Control planes"
          options={[
            { value: 1, label: '1' },
            { value: 3, label: '3 (highly available)' },
          ]}
          {...bind('controlPlaneCount')}
        />
        <ChoiceField
          label="etcd"
          options={[
            { value: 'stacked', label: 'Stacked' },
            { value: 'external', label: 'External' },
          ]}
          hint="Stacked: on the control planes. External: 3 etcd VMs of its own (kubeadm only)."
          {...bind('etcd')}
        />
        <ChoiceField
          label="Network plugin (CNI)"
          options={[
            { value: 'flannel', label: CNI_LABELS.flannel },
            { value: 'calico', label: CNI_LABELS.calico },
            { value: 'bundle', label: CNI_LABELS.bundle },
          ]}
          hint="From the bundle: the plugins and configuration of the offline bundle's cni/ folder, nothing pulled (kubeadm, Linux nodes)."
          {...bind('cni')}
        />
      </div>
      <div className="lab-form-grid">
        <CountSlider
          label="Linux workers"
          unit="Linux workers"
          max={LINUX_WORKER_MAX}
          hint={`0 to ${LINUX_WORKER_MAX}.`}
          {...bind('linuxWorkers')}
        />
        <CountSlider
          label="Windows workers"
          unit="Windows workers"
          max={WINDOWS_WORKER_MAX}
          hint={`0 to ${WINDOWS_WORKER_MAX}; they join through the upstream kubeadm path for Windows nodes.`}
          disabledReason={
            draft.distribution === 'k3s' ? 'Not with k3s: k3s ships a Linux-only agent. Choose kubeadm to add Windows workers.' : undefined
          }
          {...bind('windowsWorkers')}
        />
      </div>
      {draft.windowsWorkers > 0 && draft.distribution === 'kubeadm' && (
        <WindowsTaintField checked={draft.taintWindowsWorkers} onChange={bind('taintWindowsWorkers').onChange} />
      )}
    </fieldset>
  );
}

function PlanNetwork({ draft, bind }: SectionProps) {
  return (
    <fieldset className="lab-form-set">
      <legend>Network and API endpoint</legend>
      {draft.driver !== 'existing' && (
        <>
          <ChoiceField
            label="VM network"
            options={[
              { value: 'nat', label: 'NAT (private, behind the host)' },
              { value: 'bridge', label: 'Bridge (on the host’s LAN)' },
            ]}
            {...bind('network.mode')}
          />
          <div className="lab-form-grid">
            {draft['network.mode'] === 'bridge' && (
              <TextField label="Bridge or external switch" placeholder="br0" {...bind('network.bridge')} />
            )}
            <TextField
              label="Network (CIDR)"
              placeholder="192.168.150.0/24"
              {...bind('network.cidr')}
              hint={bind('network.cidr').error === undefined ? <NetworkNote draft={draft} /> : undefined}
            />
            <TextField label="Address pool start" placeholder="192.168.150.100" {...bind('network.poolStart')} />
            <TextField label="Address pool end" placeholder="192.168.150.199" {...bind('network.poolEnd')} />
          </div>
        </>
      )}
      <div className="lab-form-grid">
        <TextField
          label="API endpoint (VIP or DNS name)"
          hint="Stays the same when VMs get new addresses: it is in the API certificate from the start."
          {...bind('apiEndpoint.host')}
        />
        <TextField label="API port" inputMode="numeric" narrow {...bind('apiEndpoint.port')} />
      </div>
    </fieldset>
  );
}

/** Live, as the user types: the laid-out fields follow the network, or why the text is no network yet. */
function NetworkNote({ draft }: { draft: LabDraft }) {
  const note = networkNote(draft);
  return (
    <span role="status" className={note.problem ? 'field-note-problem' : undefined} data-testid="network-note">
      {note.text}
    </span>
  );
}

function PlanImages({ draft, bind }: SectionProps) {
  const windows = draft.windowsWorkers > 0 && draft.distribution === 'kubeadm';
  return (
    <fieldset className="lab-form-set">
      <legend>Images and downloads</legend>
      {draft.driver !== 'existing' && (
        <TextField
          label="Linux base image on the host"
          hint="A cloud image; each VM disk is a thin copy on top of it."
          {...bind('baseImage')}
        />
      )}
      {windows && draft.driver !== 'existing' && (
        <TextField
          label="Windows Server image on the host"
          placeholder="Windows Server 2022 with cloudbase-init"
          hint="Needed for Windows workers."
          {...bind('windowsBaseImage')}
        />
      )}
      <div className="lab-form-grid">
        <TextField
          label="Offline bundle (optional)"
          placeholder="/home/me/nestlab-bundle"
          hint="Recommended. A folder on this computer with binaries, image tarballs and the install scripts, uploaded so the VMs need no internet. Without it the machines download the k3s and Windows node scripts (pinned to a commit) and run them as root."
          {...bind('offlineBundle')}
        />
        <TextField
          label="Registry mirror (optional)"
          placeholder="https://mirror.lab.internal:5000"
          inputMode="url"
          hint="containerd pulls through it."
          {...bind('registryMirror')}
        />
      </div>
    </fieldset>
  );
}
