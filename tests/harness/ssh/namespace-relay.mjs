// Runs inside a real-libvirt test host's network namespace: connections to the Unix socket
// (argv[2], a file the test process also sees) go to 127.0.0.1:argv[3] in this namespace (sshd).
import { connect, createServer } from 'node:net';

const [socketPath, port] = process.argv.slice(2);
createServer((client) => {
  const upstream = connect(Number(port), '127.0.0.1');
  client.pipe(upstream).pipe(client);
  const end = () => {
    client.destroy();
    upstream.destroy();
  };
  for (const side of [client, upstream]) {
    side.on('error', end);
    side.on('close', end);
  }
}).listen(socketPath);
