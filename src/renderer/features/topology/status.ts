/** What a box says about its object's health: always in words, the tone only adds colour. */
import type { NodeObject, PodObject } from '../../../shared/contract';
import type { StatusTone } from '../../components/StatusBadge';
import type { GraphStatus } from './graph-types';

export function nodeStatus(node: NodeObject): GraphStatus {
  if (node.ready === 'True') return node.unschedulable ? { tone: 'warning', text: 'Ready, cordoned' } : { tone: 'ok', text: 'Ready' };
  if (node.ready === 'False') return { tone: 'error', text: 'NotReady' };
  return { tone: 'error', text: 'NotReady (no heartbeat)' };
}

export function podStatus(pod: PodObject): GraphStatus {
  if (pod.terminating) return { tone: 'unknown', text: 'Terminating' };
  if (pod.reason) return { tone: 'error', text: pod.reason };
  if (pod.phase === 'Failed') return { tone: 'error', text: 'Failed' };
  if (pod.phase === 'Succeeded') return { tone: 'ok', text: 'Completed' };
  if (pod.ready) return { tone: 'ok', text: 'Running' };
  if (pod.phase === 'Pending') return { tone: 'warning', text: 'Pending' };
  return { tone: 'warning', text: `${pod.phase}, not ready` };
}

export function groupStatus(total: number, ready: number, desired: number | undefined, problems: number): GraphStatus {
  const text = `${ready}/${desired ?? total} ready`;
  if (problems > 0) return { tone: 'error', text: `${text}, ${problems} failing` };
  if (ready === (desired ?? total) && total === (desired ?? total)) return { tone: 'ok', text };
  return { tone: 'warning', text };
}

/** A pod counts as a problem when its status is an error. */
export const isProblem = (pod: PodObject): boolean => podStatus(pod).tone === 'error';

/** The badge colour of each status tone of the map. */
export const badgeTones: Record<GraphStatus['tone'], StatusTone> = { ok: 'ok', warning: 'warn', error: 'bad', unknown: 'neutral' };
