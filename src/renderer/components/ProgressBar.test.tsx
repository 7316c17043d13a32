import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ProgressBar } from './ProgressBar';

const render = (props: Parameters<typeof ProgressBar>[0]) => renderToStaticMarkup(<ProgressBar {...props} />);

describe('ProgressBar', () => {
  it('announces a fraction in per cent and fills that much in its tone', () => {
    const html = render({ value: 0.426, label: 'lab1 overall progress', tone: 'busy' });
    expect(html).toContain(
      'aria-label="lab1 overall progress" aria-valuemin="0" aria-valuemax="100" aria-valuenow="43" aria-valuetext="43%"',
    );
    expect(html).toContain('class="progress-fill progress-fill-busy" style="width:43%"');
  });

  it('announces a count against its max, and fills the share of it', () => {
    const html = render({ value: 3, max: 5, label: 'web rollout', tone: 'warn' });
    expect(html).toContain('aria-valuemax="5" aria-valuenow="3" aria-valuetext="3 of 5"');
    expect(html).toContain('style="width:60%"');
  });

  it('is full when nothing is wanted (0 of 0) and never overflows (5 ready of 3 wanted while scaling down)', () => {
    expect(render({ value: 0, max: 0, label: 'web rollout', tone: 'ok' })).toContain('style="width:100%"');
    expect(render({ value: 5, max: 3, label: 'web rollout', tone: 'ok' })).toContain('style="width:100%"');
    expect(render({ value: -0.2, label: 'x', tone: 'bad' })).toContain('aria-valuenow="0"');
  });

  it('is indeterminate for work that does not say how far it is: no value announced, a moving stripe', () => {
    const html = render({ value: 0, label: 'Wait for SSH progress', tone: 'busy', indeterminate: true });
    expect(html).toContain('role="progressbar" aria-label="Wait for SSH progress" aria-valuetext="in progress"');
    expect(html).not.toContain('aria-valuenow');
    expect(html).toContain('class="progress-fill progress-fill-busy progress-fill-indeterminate"');
  });
});
