/**
 * What a lab host's address may be: a DNS name (RFC 1123 labels), an IPv4 address, or an IPv6
 * address (in brackets when a port follows), optionally followed by `:port`. Shared by the form
 * (to show the problem as the user types), the argument schema and the hosts service.
 */

export type HostAddressKind = 'dns' | 'ipv4' | 'ipv6';

export type ParsedHostAddress = { ok: true; host: string; kind: HostAddressKind; port?: number } | { ok: false; message: string };

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

const EXAMPLES =
  'Use a DNS name (letters, digits, "-" and ".", such as lab1.example.com), an IPv4 address (192.168.1.10) or an IPv6 address (fd00::10, or [fd00::10]:2222 with a port).';

function isIpv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255 && !/^0\d/.test(part));
}

function isIpv6(text: string): boolean {
  const [address = '', zone, ...rest] = text.split('%');
  if (rest.length > 0 || (zone !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(zone))) return false;
  const halves = address.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (half: string) => (half === '' ? [] : half.split(':'));
  const groups = halves.flatMap(groupsOf);
  let count = groups.length;
  const last = groups.at(-1);
  if (last !== undefined && last.includes('.')) {
    if (!isIpv4(last)) return false;
    groups.pop();
    count += 1; // an embedded IPv4 address takes two groups
  }
  if (!groups.every((group) => /^[0-9A-Fa-f]{1,4}$/.test(group))) return false;
  return halves.length === 2 ? count <= 7 : count === 8;
}

function isDnsName(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  // An all-numeric last label is an IPv4 attempt, not a name (RFC 1123 2.1).
  return labels.every((label) => LABEL.test(label)) && !/^\d+$/.test(labels.at(-1) ?? '');
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/**
 * Reads an address as typed: `lab1.example.com`, `10.0.0.5:2222`, `fd00::10`, `[fd00::10]:2222`.
 * The message of a refusal quotes what was typed and gives examples of what works.
 */
export function parseHostAddress(typed: string): ParsedHostAddress {
  const text = typed.trim();
  const refuse = (why: string): ParsedHostAddress => ({ ok: false, message: `"${text}" ${why}. ${EXAMPLES}` });
  if (text === '') return { ok: false, message: `Enter the host's name or IP address. ${EXAMPLES}` };
  if (text.length > 261) return refuse('is too long for a host name (at most 253 characters)');

  let host = text;
  let port: number | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1] ?? '';
    if (bracketed[2] !== undefined) {
      port = parsePort(bracketed[2]);
      if (port === undefined) return refuse('has a port that is not a number from 1 to 65535');
    }
    return isIpv6(host)
      ? { ok: true, host, kind: 'ipv6', ...(port === undefined ? {} : { port }) }
      : refuse('is not an IPv6 address in brackets');
  }
  if (isIpv6(text)) return { ok: true, host: text, kind: 'ipv6' };
  const colon = text.lastIndexOf(':');
  if (colon !== -1) {
    if (text.indexOf(':') !== colon) return refuse('is not a valid IPv6 address');
    port = parsePort(text.slice(colon + 1));
    if (port === undefined) return refuse('has a port that is not a number from 1 to 65535');
    host = text.slice(0, colon);
  }
  const withPort = port === undefined ? {} : { port };
  if (/^[\d.]+$/.test(host))
    return isIpv4(host)
      ? { ok: true, host, kind: 'ipv4', ...withPort }
      : refuse('is not a valid IPv4 address (four numbers from 0 to 255)');
  if (isDnsName(host)) return { ok: true, host, kind: 'dns', ...withPort };
  const odd = [...new Set(host.replace(/[A-Za-z0-9.-]/g, ''))].map((c) => (c === ' ' ? 'a space' : `"${c}"`));
  if (odd.length > 0) return refuse(`is not a host name or an IP address: it contains ${odd.join(', ')}`);
  return refuse('is not a valid host name: each part between dots is 1 to 63 letters, digits or "-", not starting or ending with "-"');
}
