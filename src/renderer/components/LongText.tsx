import { useState } from 'react';
import { hiddenCharactersText, previewText, valuePreviewLength } from './long-text';
import './long-text.css';

/**
 * Text from a cluster (an annotation, a message) shown as text, cut to a preview when long, with
 * a toggle to see all of it in a scrolling box.
 */
export function LongText({ text, limit = valuePreviewLength }: { text: string; limit?: number }) {
  const [expanded, setExpanded] = useState(false);
  const preview = previewText(text, limit);
  if (preview.hidden === 0) return <>{text}</>;
  if (expanded) {
    return (
      <>
        <span className="long-text-full" data-testid="long-text-full">
          {text}
        </span>
        <button type="button" className="long-text-toggle" onClick={() => setExpanded(false)}>
          Show less
        </button>
      </>
    );
  }
  return (
    <>
      {preview.shown}…
      <button type="button" className="long-text-toggle" onClick={() => setExpanded(true)}>
        Show all ({hiddenCharactersText(preview.hidden)})
      </button>
    </>
  );
}
