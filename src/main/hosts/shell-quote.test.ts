import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildCommand, quotePosix, validateField, remoteCommandLine } from './shell-quote';

const nasty = [
  '',
  'plain',
  "it's",
  "''",
  'a b\tc',
  'semi;colon && rm -rf /',
  '$(touch /tmp/canary)',
  '`touch /tmp/canary`',
  '"double" \\back\\slash',
  'new\nline',
  '-rf',
  '${HOME} $HOME !! * ? ~',
  'ünïcødé ✓',
];

describe('quotePosix', () => {
  it.each(nasty)('round-trips %j through a real sh unchanged', (value) => {
    const out = execFileSync('sh', ['-c', `printf '%s' ${quotePosix(value)}`], { encoding: 'utf8' });
    expect(out).toBe(value);
  });

  it('builds a command whose argv arrives exactly', () => {
    const command = buildCommand(['printf', '%s\\0', ...nasty]);
    const out = execFileSync('sh', ['-c', command], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(nasty);
  });

  it('refuses NUL bytes and empty commands', () => {
    expect(() => quotePosix('a\0b')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => buildCommand([])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('validateField', () => {
  it.each([
    ['host', 'lab\nhost', 'host'],
    ['user', 'root\r', 'user'],
    ['path', '-rf', 'path'],
    ['user', '--help', 'user'],
    ['host', '', 'host'],
    ['user', 'a b', 'user'],
    ['path', 'tab\there', 'path'],
  ] as const)('refuses %s %j naming the field', (field, value, kind) => {
    expect(() => validateField(field, value, kind)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', details: expect.objectContaining({ field }) }),
    );
  });

  it.each(['/var/lib/$(touch x)/`id`;"q"', "/srv/it's here", '/var/lib/libvirt/images'])('passes path %j literally', (value) => {
    expect(validateField('path', value, 'path')).toBe(value);
  });
});

describe('remoteCommandLine', () => {
  it('wraps the quoted command for sh -c with nothing a login shell could read differently', () => {
    const argv = ['printf', '%s', "it's", 'ends with \\', '$(x)'];
    const line = remoteCommandLine(argv);
    const match = /^sh -c 'eval "\$\(printf %s ([A-Za-z0-9+/=]+) \| base64 -d\)"'$/.exec(line);
    expect(match).not.toBeNull();
    expect(Buffer.from(match?.[1] ?? '', 'base64').toString('utf8')).toBe(buildCommand(argv));
  });
});
