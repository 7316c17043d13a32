import { useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { PodSummary } from '../../../shared/contract';
import { VirtualTable } from '../../components/VirtualTable';
import { useAppStore } from '../../store/store-context';
import { podColumns } from './PodColumns';
import {
  defaultPodSort,
  filterPods,
  indexPods,
  nextSort,
  parseLabelSelector,
  podHealth,
  sortPods,
  type PodFilter,
  type PodSort,
} from './pod-table';

/** Every row is this high (px): the table computes rows' places instead of measuring them. */
const ROW_HEIGHT = 36;

const podKey = (pod: PodSummary) => `${pod.namespace}/${pod.name}`;

/**
 * What tests and the bench find a row by. Module-level, as the columns' health is (podHealth):
 * a followed list's change then re-renders only the rows whose pod changed.
 */
const rowAttributes = (pod: PodSummary) => ({ 'data-pod': pod.name, 'data-namespace': pod.namespace, 'data-health': podHealth(pod) });

/**
 * The pods list: filters (name part, namespace, labels, problems only) and a sort over every
 * row, "N of M pods" and the problems count, and a virtualised table whose rows keep the
 * per-pod actions. Problems (failing, pending, not ready) come first until another column is
 * chosen.
 */
export function PodsTable({
  context,
  pods,
  now,
  onForward,
}: {
  context: string;
  pods: readonly PodSummary[];
  now: number;
  onForward: (pod: PodSummary) => void;
}) {
  const [name, setName] = useState('');
  const [namespace, setNamespace] = useState('');
  const [labelText, setLabelText] = useState('');
  const [problemsOnly, setProblemsOnly] = useState(false);
  const [sort, setSort] = useState<PodSort>(defaultPodSort);
  const [containers, setContainers] = useState<ReadonlyMap<string, string>>(new Map());

  const actions = useAppStore(
    useShallow((state) => ({
      openLogs: state.openLogs,
      showEvents: state.showEvents,
      showDescribe: state.showDescribe,
      execInPod: state.execInPod,
    })),
  );
  const index = useMemo(() => indexPods(pods), [pods]);
  const order = useMemo(() => sortPods(index, sort), [index, sort]);
  const labels = useMemo(() => parseLabelSelector(labelText), [labelText]);
  // A namespace chosen before a reload that no longer holds pods still filters (to nothing, said so).
  const filter: PodFilter = useMemo(
    () => ({ name, namespace, labels: labels.ok ? labels.requirements : [], problemsOnly }),
    [name, namespace, labels, problemsOnly],
  );
  const rows = useMemo(() => {
    const kept = filterPods(index, order, filter);
    const list = new Array<PodSummary>(kept.length);
    for (let i = 0; i < kept.length; i += 1) list[i] = index.pods[kept[i]!]!;
    return list;
  }, [index, order, filter]);
  const columns = useMemo(
    () =>
      podColumns({
        context,
        now,
        health: podHealth,
        container: (pod) => containers.get(podKey(pod)) ?? pod.containers[0] ?? '',
        chooseContainer: (pod, container) => setContainers((previous) => new Map(previous).set(podKey(pod), container)),
        onForward,
        actions,
      }),
    [context, now, containers, onForward, actions],
  );

  const { problems } = index;
  const problemParts = [
    problems.failing > 0 ? `${problems.failing.toLocaleString('en-US')} failing` : '',
    problems.pending > 0 ? `${problems.pending.toLocaleString('en-US')} pending` : '',
    problems.notReady > 0 ? `${problems.notReady.toLocaleString('en-US')} not ready` : '',
  ].filter(Boolean);
  const namespaces = index.namespaces;
  return (
    <>
      <div className="pods-filters" role="search" aria-label="Filter the pods">
        <label>
          Name
          <input type="search" value={name} placeholder="part of a name" onChange={(event) => setName(event.target.value)} />
        </label>
        {(namespaces.length > 1 || namespace !== '') && (
          <label>
            Show namespace
            <select className="select" value={namespace} onChange={(event) => setNamespace(event.target.value)}>
              <option value="">All ({namespaces.length.toLocaleString('en-US')})</option>
              {namespace !== '' && !namespaces.some((entry) => entry.name === namespace) && (
                <option value={namespace}>{namespace} (0)</option>
              )}
              {namespaces.map((entry) => (
                <option key={entry.name} value={entry.name}>
                  {entry.name} ({entry.pods.toLocaleString('en-US')})
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Labels
          <input
            value={labelText}
            placeholder="app=web, !canary"
            aria-invalid={!labels.ok}
            aria-describedby={labels.ok ? undefined : 'pods-label-error'}
            spellCheck={false}
            onChange={(event) => setLabelText(event.target.value)}
          />
        </label>
        <button
          type="button"
          className={problems.total > 0 ? 'button pods-problems pods-problems-some' : 'button pods-problems'}
          aria-pressed={problemsOnly}
          disabled={problems.total === 0 && !problemsOnly}
          onClick={() => setProblemsOnly(!problemsOnly)}
        >
          {problems.total === 0 ? 'No problems' : `Only problems: ${problemParts.join(', ')}`}
        </button>
        <p className="pods-count" role="status" data-testid="pods-count">
          {rows.length.toLocaleString('en-US')} of {pods.length.toLocaleString('en-US')} pods
        </p>
      </div>
      {!labels.ok && (
        <p id="pods-label-error" className="field-error">
          {labels.error}
        </p>
      )}
      {rows.length === 0 ? (
        <p className="muted">{pods.length === 0 ? 'No pods here.' : 'No pod matches the filters.'}</p>
      ) : (
        <VirtualTable
          columns={columns}
          rows={rows}
          rowKey={podKey}
          rowHeight={ROW_HEIGHT}
          caption="Pods"
          className="pods-table"
          sort={sort}
          onSort={(key) => setSort(nextSort(sort, key))}
          rowAttributes={rowAttributes}
          // Enter on a row goes to its actions (Tab then walks them, Escape comes back).
          onRowEnter={(_pod, element) => element.querySelector<HTMLButtonElement>('.pod-actions button:not(:disabled)')?.focus()}
          testId="pods-table"
        />
      )}
    </>
  );
}
