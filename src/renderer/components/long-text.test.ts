import { describe, expect, it } from 'vitest';
import { entryPreviewCount, hiddenCharactersText, previewEntries, previewText, valuePreviewLength } from './long-text';

describe('long text previews', () => {
  it('cuts a 1 MB annotation to the preview length and says how much is hidden', () => {
    const annotation = 'x'.repeat(1024 * 1024);
    const preview = previewText(annotation);
    expect(preview.shown).toHaveLength(valuePreviewLength);
    expect(preview.hidden).toBe(1024 * 1024 - valuePreviewLength);
    expect(hiddenCharactersText(preview.hidden)).toBe(`${(1024 * 1024 - valuePreviewLength).toLocaleString()} more characters`);
  });

  it('keeps short text whole, and never splits a surrogate pair', () => {
    expect(previewText('app=web')).toEqual({ shown: 'app=web', hidden: 0 });
    const emoji = `${'a'.repeat(9)}😀${'b'.repeat(10)}`;
    const preview = previewText(emoji, 10);
    expect(preview.shown).toBe('a'.repeat(9));
    expect(preview.shown.length + preview.hidden).toBe(emoji.length);
  });

  it('shows the first entries of 10,000 labels until expanded', () => {
    const labels = Array.from({ length: 10_000 }, (_, index) => [`label-${index}`, 'v'] as const);
    const collapsed = previewEntries(labels, false);
    expect(collapsed.shown).toHaveLength(entryPreviewCount);
    expect(collapsed.hidden).toBe(10_000 - entryPreviewCount);
    expect(previewEntries(labels, true)).toEqual({ shown: labels, hidden: 0 });
    expect(previewEntries(labels.slice(0, 3), false)).toEqual({ shown: labels.slice(0, 3), hidden: 0 });
  });
});
