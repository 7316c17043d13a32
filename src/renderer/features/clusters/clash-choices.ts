/**
 * The clash form's rules, apart from React: the name suggested for a rename (always one the form
 * accepts), and why "Import with these choices" is disabled, in words.
 */
import type { ClashResolution, ClusterContext, NameClash, NameKind } from '../../../shared/contract';

export type Choice = 'keep-existing' | 'replace' | 'rename';

/** The same rule as the contract's entry names: no whitespace, slashes or backslashes. */
const validName = /^[^\s/\\]+$/;

export function nameProblem(name: string, taken: ReadonlySet<string>): string | undefined {
  if (name === '') return 'Enter a new name.';
  if (!validName.test(name)) return `"${name}" has spaces or slashes; a new name cannot.`;
  if (name.length > 253) return 'A name has at most 253 characters.';
  if (taken.has(name)) return `"${name}" is taken too.`;
  return undefined;
}

/** `name-2` (or -3, ...) with spaces and slashes turned into dashes, not taken. */
export function suggestName(name: string, taken: ReadonlySet<string>): string {
  const base =
    name
      .trim()
      .replace(/[\s/\\]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'imported';
  for (let n = 2; ; n += 1) {
    const candidate = `${base}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** Names of each kind Nestlab already has, from the clusters state. */
export function takenNames(contexts: readonly ClusterContext[]): Record<NameKind, Set<string>> {
  return {
    context: new Set(contexts.map((context) => context.name)),
    cluster: new Set(contexts.map((context) => context.clusterName)),
    user: new Set(contexts.map((context) => context.userName).filter(Boolean)),
  };
}

export interface ClashFormState {
  choice: Choice;
  newName: string;
  /** The user ticked "send these credentials to that server" for the chosen action. */
  confirmed: boolean;
}

/** Whether a choice sends credentials to a server they were not imported with. */
export function needsConfirmation(clash: NameClash, choice: Choice): boolean {
  return choice !== 'rename' && clash.effects[choice].some((effect) => effect.otherServer);
}

/** Why the form cannot be sent yet, or undefined when it can. */
export function blockingReason(
  clashes: readonly NameClash[],
  stateOf: (clash: NameClash) => ClashFormState,
  taken: Record<NameKind, ReadonlySet<string>>,
): string | undefined {
  for (const clash of clashes) {
    const state = stateOf(clash);
    const label = `${clash.kind} "${clash.name}"`;
    if (state.choice === 'rename') {
      const problem = nameProblem(state.newName, taken[clash.kind]);
      if (problem !== undefined) return `New name for ${label}: ${problem}`;
    } else if (needsConfirmation(clash, state.choice) && !state.confirmed) {
      return `${label.charAt(0).toUpperCase()}${label.slice(1)}: confirm sending the credentials to the other server, or import it under a new name.`;
    }
  }
  return undefined;
}

export function resolutionOf(clash: NameClash, state: ClashFormState): ClashResolution {
  if (state.choice === 'rename') return { kind: clash.kind, name: clash.name, action: 'rename', newName: state.newName };
  return {
    kind: clash.kind,
    name: clash.name,
    action: state.choice,
    ...(needsConfirmation(clash, state.choice) && state.confirmed ? { confirmOtherServer: true } : {}),
  };
}
