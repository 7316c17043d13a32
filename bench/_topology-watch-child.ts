/**
 * Child of bench/topology-scale.ts: the topology service alone in a fresh Node process, as the
 * main process runs it. Prints one JSON line: snapshot time (watch() until every kind is listed
 * into the compact model), the process RSS and heap after watching for a while, and the live heap
 * after a full GC (when run with --expose-gc).
 * bench/topology-scale.ts builds it and runs the bundle with node: <bundle> <kubeconfig path> <watch seconds>
 */
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { TopologyService } from '../src/main/topology/topology-service';

const [kubeconfigPath, watchSeconds = '0'] = process.argv.slice(2);
const service = new TopologyService({
  provider: {
    kubeConfigFor: () => {
      const config = new KubeConfig();
      config.loadFromString(readFileSync(kubeconfigPath!, 'utf8'));
      return Promise.resolve(config);
    },
    contextNames: () => Promise.resolve(['bench']),
  },
});
let deltas = 0;
service.onDidChange(() => (deltas += 1));
const started = performance.now();
await service.watch('bench');
const first = await service.snapshot('bench');
const snapshotMs = performance.now() - started;
let objects = first.objects.length;
let page = first;
while (page.nextCursor) {
  page = await service.snapshot('bench', page.nextCursor);
  objects += page.objects.length;
}
await new Promise((resolve) => setTimeout(resolve, Number(watchSeconds) * 1000));
const mb = (bytes: number) => bytes / 1024 / 1024;
const rssMb = mb(process.memoryUsage().rss);
// heapUsed counts garbage not yet collected, so it depends on when V8 last ran a full GC (it
// read 40-45 MB in one session and 99 MB in a busier one for the same code). Run with
// --expose-gc (topology-scale.ts does): the live heap after a full GC is the figure to compare.
const heapMb = mb(process.memoryUsage().heapUsed);
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const liveHeapMb = gc ? mb(process.memoryUsage().heapUsed) : undefined;
const rssAfterGcMb = gc ? mb(process.memoryUsage().rss) : undefined;
console.log(JSON.stringify({ snapshotMs, objects, rssMb, heapMb, liveHeapMb, rssAfterGcMb, deltas, state: page.status.state }));
service.dispose();
process.exit(0);
