/**
 * elkjs in a web worker, so a layout run never blocks a frame. The CSP allows workers from
 * 'self' (worker-src 'self' blob:); Vite emits the worker file beside the bundle.
 */
import ELK from 'elkjs/lib/elk-api.js';
import elkWorkerUrl from 'elkjs/lib/elk-worker.min.js?url';
import type { ElkGraph, LayoutEngine } from './layout';

export function createElkWorkerEngine(): LayoutEngine {
  const elk = new ELK({ workerFactory: () => new Worker(elkWorkerUrl) });
  return {
    layout: async (graph) => (await elk.layout(graph)) as ElkGraph,
  };
}
