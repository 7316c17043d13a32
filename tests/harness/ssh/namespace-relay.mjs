// Relays TCP between two ends given as a Unix socket path, a port (on 127.0.0.1) or address:port:
// connections to the first end (listened on) go to the second. Runs inside a test host's network
// namespace: from a Unix socket the test process also sees to 127.0.0.1:<port> there (sshd, a lab's
// HAProxy port), or (simulations/lib-sim.sh) from a stand-in VM's address:6443 to the socket the
// test serves for the harness's real API server.
import { connect, createServer } from 'node:net';

const end = (spec) => {
  if (/^\d+$/.test(spec)) return { host: '127.0.0.1', port: Number(spec) };
  const address = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d+)$/.exec(spec);
  return address === null ? { path: spec } : { host: address[1], port: Number(address[2]) };
};
const [listenOn, target] = process.argv.slice(2).map(end);
createServer((client) => {
  const upstream = connect(target);
  client.pipe(upstream).pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  for (const side of [client, upstream]) {
    side.on('error', close);
    side.on('close', close);
  }
}).listen(listenOn);
