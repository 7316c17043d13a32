/**
 * A DNS server that answers every query with NXDOMAIN, as every resolver answers for a name under
 * .invalid (RFC 6761). Runs as the first process of a network namespace the test made
 * (resolver-namespace.ts), on that namespace's 127.0.0.1:53, where its resolv.conf points glibc.
 * Prints `listening` once bound, then `asked <name>` for each query; exits when stdin closes, so a
 * test process that dies leaves no namespace behind.
 */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';

/** The question's name of a DNS query (labels from byte 12 on). */
function questionName(message: Buffer): string {
  const labels: string[] = [];
  let offset = 12;
  while (offset < message.length && message[offset]! > 0) {
    const length = message[offset]!;
    labels.push(message.subarray(offset + 1, offset + 1 + length).toString('latin1'));
    offset += 1 + length;
  }
  return labels.join('.');
}

/** An NXDOMAIN answer: the query's id and question, QR and RA set, RCODE 3, no records. */
function nxdomain(query: Buffer): Buffer {
  let end = 12;
  while (end < query.length && query[end]! > 0) end += 1 + query[end]!;
  end += 5; // the root label, QTYPE and QCLASS
  const answer = Buffer.from(query.subarray(0, end));
  answer[2] = 0x80 | (query[2]! & 0x01); // QR, opcode 0, RD as asked
  answer[3] = 0x80 | 0x03; // RA, NXDOMAIN
  answer.writeUInt16BE(1, 4);
  answer.writeUInt16BE(0, 6);
  answer.writeUInt16BE(0, 8);
  answer.writeUInt16BE(0, 10);
  return answer;
}

const dns = createSocket('udp4');
dns.on('message', (message, peer) => {
  process.stdout.write(`asked ${questionName(message)}\n`);
  dns.send(nxdomain(message), peer.port, peer.address);
});
dns.bind(53, '127.0.0.1');
await once(dns, 'listening');
process.stdout.write('listening\n');
process.stdin.resume();
process.stdin.on('end', () => dns.close());
