import { describe, expect, it } from 'vitest';
import { parseHostAddress } from './host-address';

describe('parseHostAddress', () => {
  it('accepts DNS names, IPv4 and IPv6 addresses, with an optional port', () => {
    expect(parseHostAddress('lab1.example.com')).toEqual({ ok: true, host: 'lab1.example.com', kind: 'dns' });
    expect(parseHostAddress('hv-01')).toEqual({ ok: true, host: 'hv-01', kind: 'dns' });
    expect(parseHostAddress(' 192.168.1.10:2222 ')).toEqual({ ok: true, host: '192.168.1.10', kind: 'ipv4', port: 2222 });
    expect(parseHostAddress('fd00::10')).toEqual({ ok: true, host: 'fd00::10', kind: 'ipv6' });
    expect(parseHostAddress('::1')).toEqual({ ok: true, host: '::1', kind: 'ipv6' });
    expect(parseHostAddress('[fe80::1%eth0]:22')).toEqual({ ok: true, host: 'fe80::1%eth0', kind: 'ipv6', port: 22 });
    expect(parseHostAddress('::ffff:10.0.0.1')).toEqual({ ok: true, host: '::ffff:10.0.0.1', kind: 'ipv6' });
    expect(parseHostAddress('2001:db8:0:0:0:0:0:1').ok).toBe(true);
    expect(parseHostAddress('host.example.com:22')).toEqual({ ok: true, host: 'host.example.com', kind: 'dns', port: 22 });
  });

  it('refuses shell text, bad numbers and malformed names with a message that says what works', () => {
    const bad = parseHostAddress('bad;rm -rf /');
    expect(bad).toEqual({
      ok: false,
      message:
        '"bad;rm -rf /" is not a host name or an IP address: it contains ";", a space, "/". Use a DNS name (letters, digits, "-" and ".", such as lab1.example.com), an IPv4 address (192.168.1.10) or an IPv6 address (fd00::10, or [fd00::10]:2222 with a port).',
    });
    for (const text of [
      '300.1.1.1',
      '10.0.0',
      '-lab',
      'lab-',
      'a..b',
      'host:0',
      'host:99999',
      'fd00::1::2',
      '[fd00::1]:x',
      'x'.repeat(64),
      '1:2:3',
    ]) {
      expect(parseHostAddress(text).ok, text).toBe(false);
    }
    expect(parseHostAddress('300.1.1.1')).toMatchObject({ message: expect.stringContaining('not a valid IPv4 address') });
    expect(parseHostAddress('')).toMatchObject({ ok: false, message: expect.stringMatching(/^Enter the host's name or IP address/) });
  });
});
