/**
 * Cutting text from clusters (labels, annotations, messages) to a size the page can lay out at
 * once: a 1 MB annotation or 10,000 labels would otherwise be one huge text node or list and
 * freeze the view. Pure, so the limits are unit-tested.
 */

/** Characters of a value shown before "Show all". */
export const valuePreviewLength = 300;
/** Entries of a label or annotation list shown before "Show all". */
export const entryPreviewCount = 20;

export interface TextPreview {
  /** What to show: the whole text, or its start. */
  shown: string;
  /** Characters left out (0: nothing is hidden). */
  hidden: number;
}

/** The first `limit` characters of `text`, never splitting a surrogate pair. */
export function previewText(text: string, limit = valuePreviewLength): TextPreview {
  if (text.length <= limit) return { shown: text, hidden: 0 };
  let end = limit;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return { shown: text.slice(0, end), hidden: text.length - end };
}

/** The entries to render: all when expanded, else the first `limit`; and how many are left out. */
export function previewEntries<T>(
  entries: readonly T[],
  expanded: boolean,
  limit = entryPreviewCount,
): { shown: readonly T[]; hidden: number } {
  if (expanded || entries.length <= limit) return { shown: entries, hidden: 0 };
  return { shown: entries.slice(0, limit), hidden: entries.length - limit };
}

/** "1,234,567 more characters" in the user's number format. */
export function hiddenCharactersText(hidden: number): string {
  return `${hidden.toLocaleString()} more ${hidden === 1 ? 'character' : 'characters'}`;
}
