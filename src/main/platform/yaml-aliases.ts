/**
 * One limit and one message for YAML aliases wherever users paste or open YAML (kubeconfigs,
 * custom manifests): a few aliases are tolerated, a "billion laughs" bomb is refused unexpanded.
 */

/** Kubeconfigs and manifests have little reason to use aliases; a few are tolerated, a bomb is not. */
export const MAX_ALIAS_COUNT = 50;

/** What the user reads when the yaml package refuses to expand more than {@link MAX_ALIAS_COUNT} aliases. */
export const TOO_MANY_ALIASES_MESSAGE = `The YAML uses too many aliases (more than ${MAX_ALIAS_COUNT} expansions), as a YAML "billion laughs" bomb does. It was not expanded.`;

/**
 * Whether an error thrown by the yaml package's toJS is about aliases (its limit, or an alias
 * without its anchor): the package throws ReferenceError for those alone, and gives them no code.
 */
export function isAliasLimitError(error: unknown): boolean {
  return error instanceof ReferenceError;
}
