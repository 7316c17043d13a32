import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { KubeletPod } from './kubelet-pods.js';

/**
 * Small HTTP servers on 127.0.0.1 that stand in for what a pod's containers listen on, so a
 * port-forward has something real at the far end. One per pod, started on first use; it answers
 * every forwarded port. Pods of the azure-vote front end (label app=azure-vote-front) get that
 * app's voting page; any other pod a page naming itself.
 */
export class PodWebServers {
  private readonly servers = new Map<string, Promise<{ server: Server; port: number }>>();
  private readonly sockets = new Set<Socket>();

  /** The loopback port that stands in for `containerPort` of `pod`. */
  async portFor(pod: KubeletPod): Promise<number> {
    const key = `${pod.namespace}/${pod.name}/${pod.uid}`;
    let entry = this.servers.get(key);
    if (entry === undefined) {
      entry = this.start(pod);
      this.servers.set(key, entry);
    }
    return (await entry).port;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    const servers = await Promise.all(this.servers.values());
    this.servers.clear();
    await Promise.all(servers.map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }

  private async start(pod: KubeletPod): Promise<{ server: Server; port: number }> {
    const server = createServer((req, res) => {
      const page = pageFor(pod, req.headers.host ?? '');
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      if (req.url === '/healthz') {
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
        return;
      }
      res.writeHead(req.url === '/' ? 200 : 404, {
        'Content-Type': 'text/html; charset=utf-8',
        'X-Simulated-Pod': `${pod.namespace}/${pod.name}`,
      });
      res.end(req.url === '/' ? page : '<h1>404 Not Found</h1>\n');
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    return { server, port: typeof address === 'object' && address !== null ? address.port : 0 };
  }
}

function pageFor(pod: KubeletPod, host: string): string {
  if (pod.labels.app === 'azure-vote-front') {
    return `<!DOCTYPE html>
<html>
<head><title>Azure Voting App</title></head>
<body>
  <div id="container">
    <form id="form" name="form" action="/" method="post">
      <center><h1>Azure Voting App</h1></center>
      <div><button name="vote" value="Cats">Cats</button><button name="vote" value="Dogs">Dogs</button><button name="vote" value="reset">Reset</button></div>
      <div id="results">Cats - 0 | Dogs - 0</div>
    </form>
  </div>
  <!-- served by the Nestlab simulated kubelet for pod ${pod.namespace}/${pod.name} -->
</body>
</html>
`;
  }
  return `<!DOCTYPE html>
<html>
<head><title>${pod.name}</title></head>
<body>
  <h1>Hello from ${pod.namespace}/${pod.name}</h1>
  <p>Served by the Nestlab simulated kubelet through a port-forward (Host: ${escapeHtml(host)}).</p>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
