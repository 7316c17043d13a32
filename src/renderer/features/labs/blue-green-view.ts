import type { BlueGreenPair, BlueGreenSide, LabSummary } from '../../../shared/contract';
import { OFFERED_KUBERNETES_VERSIONS } from '../../../shared/kubernetes-versions';

/** The pair a lab belongs to (as blue or green), if any. */
export function pairOfLab(
  pairs: readonly BlueGreenPair[] | undefined,
  lab: string,
): { pair: BlueGreenPair; side: BlueGreenSide } | undefined {
  for (const pair of pairs ?? []) {
    if (pair.blue === lab) return { pair, side: 'blue' };
    if (pair.green === lab) return { pair, side: 'green' };
  }
  return undefined;
}

/** Why a green lab cannot be made from this lab now, or undefined when it can. */
export function greenBlockedReason(lab: LabSummary): string | undefined {
  if (lab.plan.driver !== 'libvirt') return 'The front door is HAProxy on a Linux libvirt host; this lab runs elsewhere.';
  if (lab.status !== 'ready') return 'A green lab is made from a ready lab: wait for its operation or resume it.';
  if (lab.context === undefined) return 'The lab has no saved context yet.';
  return undefined;
}

/** The versions the green lab may run: the offered ones except the blue lab's own. */
export function greenVersions(lab: LabSummary): string[] {
  return OFFERED_KUBERNETES_VERSIONS.filter((version) => version !== lab.plan.kubernetesVersion);
}

/** The name the form suggests for the green lab (a DNS label of at most 40 characters). */
export function suggestedGreenName(blue: string): string {
  return `${blue.slice(0, 34).replace(/-+$/, '')}-green`;
}

/** The lab of a side, with its version, in words: "lab1 (1.29.12)". */
export function sideLabel(pair: BlueGreenPair, side: BlueGreenSide): string {
  return side === 'blue' ? `${pair.blue} (${pair.blueVersion})` : `${pair.green} (${pair.greenVersion})`;
}

/** The state in words for the panel's live region. */
export function pairStateText(pair: BlueGreenPair): string {
  const serving = `The front door serves ${pair.active}: ${sideLabel(pair, pair.active)}.`;
  switch (pair.state) {
    case 'creating-green':
      return `Creating the green lab ${pair.green}.`;
    case 'copying-apps':
      return `Copying the apps of ${pair.blue} to ${pair.green}.`;
    case 'opening':
      return 'Opening the front door.';
    case 'switching':
      return 'Switching the front door.';
    case 'failed':
      return `Stopped: ${pair.error?.message ?? pair.detail ?? 'the last step failed'}`;
    case 'ready':
      return serving;
  }
}

/** The other side. */
export const otherSide = (side: BlueGreenSide): BlueGreenSide => (side === 'blue' ? 'green' : 'blue');
