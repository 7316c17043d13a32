import { describe, expect, it } from 'vitest';
import { encodePowerShell, POWERSHELL_SINGLE_QUOTES, powerShellCommand, psLiteral } from './powershell';

describe('PowerShell encoding', () => {
  it('encodes UTF-16LE base64 as -EncodedCommand expects', () => {
    // Known value: PowerShell's own [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes('dir')).
    expect(encodePowerShell('dir')).toBe('ZABpAHIA');
    const script = `Write-Output "it's $(Get-Date) ✓"; 'a;b'`;
    expect(Buffer.from(encodePowerShell(script), 'base64').toString('utf16le')).toBe(script);
  });

  it('builds a command line with no script text on it', () => {
    const command = powerShellCommand('Remove-Item -Recurse C:\\; "$(evil)"');
    expect(command).toMatch(/^powershell -NoProfile -NonInteractive -EncodedCommand [A-Za-z0-9+/=]+$/);
  });

  it('refuses scripts longer than a Windows command line', () => {
    expect(() => powerShellCommand('x'.repeat(30_000))).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

/**
 * PowerShell's single-quoted string scanner (Tokenizer.ScanStringLiteral in
 * System.Management.Automation.Language), reduced to what decides where a literal ends: a
 * single-quote character (CharExtensions.IsSingleQuote: ' U+2018 U+2019 U+201A U+201B) ends it
 * unless another single-quote character follows, which then stands for itself. No PowerShell
 * runs here; this mirrors its source so the table below covers every quote character.
 */
function scanSingleQuoted(script: string, start: number): { value: string; end: number } {
  const isSingleQuote = (c: string | undefined) => c !== undefined && (POWERSHELL_SINGLE_QUOTES as readonly string[]).includes(c);
  if (!isSingleQuote(script[start])) throw new Error('not at a single quote');
  let value = '';
  for (let index = start + 1; index < script.length; index += 1) {
    let c = script[index] as string;
    if (isSingleQuote(c)) {
      if (!isSingleQuote(script[index + 1])) return { value, end: index + 1 };
      index += 1;
      c = script[index] as string;
    }
    value += c;
  }
  throw new Error('unterminated string');
}

describe('psLiteral', () => {
  const quotes = [
    ["'", 'APOSTROPHE'],
    ['\u2018', 'LEFT SINGLE QUOTATION MARK'],
    ['\u2019', 'RIGHT SINGLE QUOTATION MARK'],
    ['\u201a', 'SINGLE LOW-9 QUOTATION MARK'],
    ['\u201b', 'SINGLE HIGH-REVERSED-9 QUOTATION MARK'],
    ['"', 'QUOTATION MARK'],
    ['\u201c', 'LEFT DOUBLE QUOTATION MARK'],
    ['\u201d', 'RIGHT DOUBLE QUOTATION MARK'],
    ['\u201e', 'DOUBLE LOW-9 QUOTATION MARK'],
    ['`', 'GRAVE ACCENT (the escape character, inert in single quotes)'],
  ] as const;

  it.each(quotes)('keeps %s (%s) inside the literal, so nothing after it runs', (quote) => {
    const name = `x${quote};Start-Process calc;${quote}`;
    const script = `Remove-Item -LiteralPath ${psLiteral(name)}`;
    const start = script.indexOf(psLiteral(name));
    // The whole literal is one string token with exactly the value, ending at the end of the script.
    expect(scanSingleQuoted(script, start)).toEqual({ value: name, end: script.length });
  });

  it('doubles exactly the characters PowerShell reads as single quotes', () => {
    expect(psLiteral("it's")).toBe("'it''s'");
    expect(psLiteral('a\u2018b\u2019c\u201ad\u201be')).toBe("'a\u2018\u2018b\u2019\u2019c\u201a\u201ad\u201b\u201be'");
    expect(psLiteral('“$(calc)” `n')).toBe("'“$(calc)” `n'");
    expect(psLiteral('')).toBe("''");
  });

  it('refuses a NUL character', () => {
    expect(() => psLiteral('a\0b')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
