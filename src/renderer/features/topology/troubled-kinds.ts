import type { KindWatchStatus } from '../../../shared/contract';

/** Kinds in trouble, those with the same error named together: "Pod, Service: refused (…)". */
export function describeTroubled(kinds: readonly KindWatchStatus[]): string {
  const byMessage = new Map<string, string[]>();
  for (const kind of kinds) {
    const message = kind.error?.message ?? kind.state;
    byMessage.set(message, [...(byMessage.get(message) ?? []), kind.kind]);
  }
  return [...byMessage.entries()].map(([message, names]) => `${names.join(', ')}: ${message}`).join('; ');
}
