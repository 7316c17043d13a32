/**
 * Where a gesture's slow frames go: a Chrome trace taken around the gesture, read per frame
 * interval over 20 ms (a missed vsync). For each: the renderer main thread's work by kind
 * (script, style, layout, paint, commit, GC), and the busy time of the compositor thread, the
 * raster workers and viz's thread inside the interval. bench/topology-scale.ts takes one with
 * NESTLAB_BENCH_TRACE=<file.json>.
 */
import type { Browser, Page } from 'playwright-core';

const CATEGORIES = ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink', 'cc', 'viz'];

/** The main thread's kinds of work that are worth naming (they may nest: script can force style). */
const MAIN_KINDS = new Set([
  'EventDispatch',
  'FunctionCall',
  'TimerFire',
  'FireAnimationFrame',
  'UpdateLayoutTree',
  'Layout',
  'PrePaint',
  'Paint',
  'Layerize',
  'Commit',
  'MinorGC',
  'MajorGC',
]);
/** A task on any thread, the unit of busy time. */
const TASK = 'ThreadControllerImpl::RunTask';
const ANCHOR = 'nestlab-frame-trace';

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: { message?: string } };
}

export interface FrameTrace {
  /** performance.now() in the page when the anchor was written: maps trace time to page time. */
  anchorMs: number;
  stop(): Promise<TraceEvent[]>;
}

/** Starts a trace and writes an anchor into it (console.timeStamp), so frame times in the page can be placed. */
export async function startFrameTrace(browser: Browser, page: Page): Promise<FrameTrace> {
  await browser.startTracing(page, { categories: CATEGORIES });
  const anchorMs = await page.evaluate((mark) => {
    console.timeStamp(mark);
    return performance.now();
  }, ANCHOR);
  return {
    anchorMs,
    async stop() {
      const buffer = await browser.stopTracing();
      const parsed = JSON.parse(buffer.toString('utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
      return Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
    },
  };
}

const key = (event: Pick<TraceEvent, 'pid' | 'tid'>) => `${event.pid}:${event.tid}`;

/** Milliseconds of [start, end) that an event covers. */
function overlap(event: TraceEvent, start: number, end: number): number {
  const from = Math.max(event.ts / 1000, start);
  const to = Math.min((event.ts + (event.dur ?? 0)) / 1000, end);
  return Math.max(0, to - from);
}

/**
 * One line per frame interval over 20 ms: where it starts (ms after the first frame), how long it
 * was, and what each thread did meanwhile. `frames` are the page's requestAnimationFrame times.
 */
export function slowFrameLines(events: TraceEvent[], frames: number[], anchorMs: number): string[] {
  const anchor = events.find((event) => event.name === 'TimeStamp' && event.args?.data?.message === ANCHOR);
  if (!anchor) return ['(no anchor in the trace: frames cannot be placed)'];
  const offset = anchor.ts / 1000 - anchorMs;
  const names = new Map<string, string>();
  for (const event of events)
    if (event.ph === 'M' && event.name === 'thread_name' && event.args?.name) names.set(key(event), event.args.name);
  const main = key(anchor);
  const threadOf = (event: TraceEvent): string | undefined => {
    if (key(event) === main) return 'main';
    const name = names.get(key(event)) ?? '';
    if (name.startsWith('CompositorTileWorker')) return 'raster';
    if (name === 'Compositor' && event.pid === anchor.pid) return 'compositor';
    if (name === 'VizCompositorThread') return 'viz';
    return undefined;
  };
  const complete = events.filter((event) => event.ph === 'X' && event.dur !== undefined && threadOf(event) !== undefined);
  const lines: string[] = [];
  for (let index = 1; index < frames.length; index += 1) {
    const length = frames[index]! - frames[index - 1]!;
    if (length <= 20) continue;
    const start = frames[index - 1]! + offset;
    const end = frames[index]! + offset;
    const busy = new Map<string, number>();
    const kinds = new Map<string, number>();
    for (const event of complete) {
      const covered = overlap(event, start, end);
      if (covered === 0) continue;
      const thread = threadOf(event)!;
      if (event.name === TASK) busy.set(thread, (busy.get(thread) ?? 0) + covered);
      if (thread === 'main' && MAIN_KINDS.has(event.name)) kinds.set(event.name, (kinds.get(event.name) ?? 0) + covered);
    }
    const ms = (value: number | undefined) => (value ?? 0).toFixed(0);
    const named = [...kinds]
      .sort((a, b) => b[1] - a[1])
      .filter(([, value]) => value >= 1)
      .map(([name, value]) => `${name} ${ms(value)}`)
      .join(', ');
    lines.push(
      `+${ms(frames[index - 1]! - frames[0]!)} ms, ${length.toFixed(1)} ms: main ${ms(busy.get('main'))} (${named || 'nothing named'}); compositor ${ms(busy.get('compositor'))}; raster ${ms(busy.get('raster'))}; viz ${ms(busy.get('viz'))}`,
    );
  }
  return lines;
}
