import type { EtcdSnapshot, LabSummary } from '../../../shared/contract';

/** Why a snapshot cannot be taken or restored now, or undefined when it can. */
export function snapshotBlockedReason(lab: LabSummary): string | undefined {
  if (lab.status === 'running') return 'An operation is running: wait for it or cancel it.';
  if (lab.status !== 'ready') return 'Resume the lab first: its last operation did not finish.';
  return undefined;
}

/** Bytes as the list shows them: 20 kB, 4.2 MB, 1.3 GB (powers of 1000, as etcdctl prints sizes). */
export function formatSnapshotSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 || value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** What a restore of `snapshot` does on `lab`, step by step, for the confirmation (k3s and kubeadm restore differently). */
export function restoreStepTexts(lab: LabSummary, snapshot: EtcdSnapshot): string[] {
  const objects = snapshot.savedObjects === undefined ? 'the objects' : `the ${snapshot.savedObjects} objects`;
  if (lab.plan.distribution !== 'k3s') {
    return [
      'Stop the API servers, controller managers, schedulers and etcd (their static pod manifests are set aside).',
      'Replace every etcd member’s data dir with the snapshot’s (the old one is kept beside it).',
      'Start etcd, then the API servers, and wait until every member answers.',
      `Check that ${objects} the snapshot saved are back.`,
    ];
  }
  const servers = lab.machines.filter((machine) => machine.role === 'control-plane').map((machine) => machine.name);
  const first = servers[0] ?? 'the first server';
  const others = servers.length > 1 ? servers.slice(1).join(' and ') : 'the other servers';
  return [
    'Stop k3s on every server.',
    `Restore the snapshot on ${first} with k3s server --cluster-reset: it becomes the only etcd member (its old data is kept beside).`,
    `Start k3s on ${first} and wait until its API server answers.`,
    `On ${others}, one at a time: set the old k3s database aside (kept beside it) and start k3s, so it joins again.`,
    snapshot.savedObjects === undefined
      ? 'Wait until every server is Ready (this snapshot has no list of its objects to compare).'
      : `Wait until every server is Ready, and check that ${objects} the snapshot saved are back.`,
  ];
}
