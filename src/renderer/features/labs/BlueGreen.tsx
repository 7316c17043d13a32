import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { BlueGreenPair, BlueGreenSide, FrontDoorApp, LabSummary } from '../../../shared/contract';
import { Banner } from '../../components/Banner';
import type { Column } from '../../components/DataTable';
import { DataTable } from '../../components/DataTable';
import { useAppStore } from '../../store/store-context';
import { greenBlockedReason, greenVersions, otherSide, pairOfLab, pairStateText, sideLabel, suggestedGreenName } from './blue-green-view';
import './blue-green.css';

/**
 * Blue/green for a lab: make a green copy at another Kubernetes version, then the front door on
 * the lab host (one address per app) and the one-click switch between the two labs.
 */
export function BlueGreen({ lab }: { lab: LabSummary }) {
  const { pairs, error } = useAppStore(useShallow((state) => ({ pairs: state.blueGreenPairs, error: state.blueGreenErrors[lab.name] })));
  const { load, dismiss } = useAppStore(useShallow((state) => ({ load: state.loadBlueGreenPairs, dismiss: state.dismissBlueGreenError })));
  useEffect(() => {
    if (pairs === undefined) void load();
  }, [pairs, load]);
  const member = pairOfLab(pairs, lab.name);
  return (
    <section className="card-section" aria-labelledby={`lab-blue-green-${lab.name}`} data-testid="blue-green">
      <h3 id={`lab-blue-green-${lab.name}`}>Blue/green</h3>
      {error && (
        <Banner tone="error" onDismiss={() => dismiss(lab.name)}>
          {error.message}
        </Banner>
      )}
      {member ? <PairPanel pair={member.pair} /> : <CreateGreenForm lab={lab} />}
    </section>
  );
}

function CreateGreenForm({ lab }: { lab: LabSummary }) {
  const create = useAppStore((state) => state.createGreenLab);
  const busy = useAppStore((state) => state.blueGreenActions[lab.name] !== undefined);
  const versions = greenVersions(lab);
  const [green, setGreen] = useState(() => suggestedGreenName(lab.name));
  const [version, setVersion] = useState(versions[0] ?? '');
  const blocked = greenBlockedReason(lab);
  return (
    <form
      className="lab-section-form lab-blue-green-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (!blocked && !busy) void create({ blue: lab.name, green, kubernetesVersion: version });
      }}
    >
      <p className="muted">
        Makes a green copy of this lab at another Kubernetes version (its own network ranges), installs this lab’s catalog apps there, and
        opens a front door on the lab host whose address stays the same when it is switched between the two labs.
      </p>
      <label>
        Green lab name <input value={green} onChange={(event) => setGreen(event.target.value.trim())} required maxLength={40} />
      </label>
      <label>
        Kubernetes version{' '}
        <select value={version} onChange={(event) => setVersion(event.target.value)}>
          {versions.map((candidate) => (
            <option key={candidate} value={candidate}>
              {candidate}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="button button-primary" disabled={blocked !== undefined || busy || green === ''}>
        {busy ? 'Creating…' : 'Create green lab'}
      </button>
      {blocked && <span className="muted">{blocked}</span>}
    </form>
  );
}

const appColumns: Column<FrontDoorApp>[] = [
  {
    header: 'App',
    rowHeader: true,
    cell: (app) => (
      <>
        {app.namespace}/{app.instance} <span className="muted">({app.appId})</span>
      </>
    ),
  },
  { header: 'Open (never changes)', cell: (app) => <code>{app.url}</code> },
  { header: 'Blue', cell: (app) => (app.backends.blue ? <code>{app.backends.blue}</code> : <span className="muted">no address</span>) },
  {
    header: 'Green',
    cell: (app) => (app.backends.green ? <code>{app.backends.green}</code> : <span className="muted">no address yet</span>),
  },
];

function PairPanel({ pair }: { pair: BlueGreenPair }) {
  const action = useAppStore((state) => state.blueGreenActions[pair.blue]);
  const actions = useAppStore(
    useShallow((state) => ({ switchTo: state.switchBlueGreen, prepare: state.prepareBlueGreen, remove: state.removeBlueGreen })),
  );
  const target: BlueGreenSide = otherSide(pair.active);
  const canSwitch = (pair.state === 'ready' || pair.state === 'failed') && pair.apps.length > 0 && action === undefined;
  const working = !['ready', 'failed'].includes(pair.state);
  return (
    <>
      <dl className="facts">
        <dt>Blue</dt>
        <dd>
          {sideLabel(pair, 'blue')}
          {pair.deleted.includes('blue') && <span className="muted"> · deleted</span>}
        </dd>
        <dt>Green</dt>
        <dd>
          {sideLabel(pair, 'green')}
          {pair.deleted.includes('green') && <span className="muted"> · deleted</span>}
        </dd>
        <dt>Serving</dt>
        <dd data-testid="blue-green-active">
          <span className={`lab-blue-green-side lab-blue-green-${pair.active}`}>{pair.active}</span>
        </dd>
      </dl>
      <p role="status" aria-live="polite" data-testid="blue-green-state">
        {pairStateText(pair)}
        {pair.detail && pair.state !== 'failed' ? <span className="muted"> {pair.detail}</span> : null}
      </p>
      {pair.apps.length > 0 && (
        <DataTable
          compact
          caption="Apps behind the front door"
          columns={appColumns}
          rows={pair.apps}
          rowKey={(app) => `${app.namespace}/${app.instance}`}
        />
      )}
      <div className="form-actions lab-blue-green-actions">
        <button
          type="button"
          className="button button-primary"
          disabled={!canSwitch}
          onClick={() => void actions.switchTo(pair.blue, target)}
        >
          {action === 'switching' ? 'Switching…' : `Switch to ${target}: ${sideLabel(pair, target)}`}
        </button>
        <button type="button" className="button" disabled={working || action !== undefined} onClick={() => void actions.prepare(pair.blue)}>
          {action === 'preparing' ? 'Preparing…' : 'Copy apps and update the front door'}
        </button>
        <button
          type="button"
          className="button button-quiet"
          disabled={action !== undefined}
          onClick={() => void actions.remove(pair.blue)}
        >
          {action === 'removing' ? 'Closing…' : 'Close the front door'}
        </button>
      </div>
      <p className="muted">Both labs stay until you delete them in their own views; closing the front door keeps them too.</p>
    </>
  );
}
