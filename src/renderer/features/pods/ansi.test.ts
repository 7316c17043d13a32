import { describe, expect, it } from 'vitest';
import { applySgr, cssStyle, findLinks, paletteColour, parseAnsi, stripAnsi } from './ansi';

describe('parseAnsi', () => {
  it('turns SGR colours into styled spans and resets on 0', () => {
    expect(parseAnsi('\x1b[1;31mERROR\x1b[0m plain \x1b[32mok')).toEqual([
      { text: 'ERROR', style: { bold: true, fg: { index: 1 } } },
      { text: ' plain ', style: {} },
      { text: 'ok', style: { fg: { index: 2 } } },
    ]);
  });

  it('reads bright, 256-colour and 24-bit colours, foreground and background', () => {
    expect(parseAnsi('\x1b[93;104mA')[0]!.style).toEqual({ fg: { index: 11 }, bg: { index: 12 } });
    expect(parseAnsi('\x1b[38;5;208mB')[0]!.style).toEqual({ fg: { index: 208 } });
    expect(parseAnsi('\x1b[48;2;10;20;30mC')[0]!.style).toEqual({ bg: { rgb: [10, 20, 30] } });
    expect(parseAnsi('\x1b[38:2:1:2:3mD')[0]!.style).toEqual({ fg: { rgb: [1, 2, 3] } });
  });

  it('ignores colour values out of range instead of passing them on', () => {
    expect(parseAnsi('\x1b[38;2;999;0;0mX')[0]!.style).toEqual({});
    expect(parseAnsi('\x1b[38;5;300mX')[0]!.style).toEqual({});
  });

  it('keeps markup as text: nothing in a line becomes HTML', () => {
    const spans = parseAnsi('\x1b[31m<img src=x onerror=alert(1)>\x1b[0m<script>alert(2)</script>');
    expect(spans.map((span) => span.text).join('')).toBe('<img src=x onerror=alert(1)><script>alert(2)</script>');
  });

  it('drops OSC 8 hyperlinks, OSC 52 clipboard writes, title changes and cursor moves, keeping the visible text', () => {
    const line =
      '\x1b]8;;javascript:alert(1)\x07click me\x1b]8;;\x07 \x1b]52;c;cHduZWQ=\x07\x1b]0;new title\x1b\\\x1b[2J\x1b[10;10Hafter\x1b[?25l';
    expect(
      parseAnsi(line)
        .map((span) => span.text)
        .join(''),
    ).toBe('click me after');
    expect(stripAnsi(line)).toBe('click me after');
  });

  it('removes control characters (backspace, carriage return, bell, 8-bit CSI) but keeps tabs', () => {
    expect(stripAnsi('a\bb\rc\x07d\te\x9b31mf')).toBe('abcd\tef');
    expect(parseAnsi('a\x00b\tc')).toEqual([{ text: 'ab\tc', style: {} }]);
  });

  it('ends an unterminated escape without eating the rest of the line into a style', () => {
    expect(stripAnsi('before \x1b]8;;http://x')).toBe('before ');
    expect(parseAnsi('x\x1b[')).toEqual([{ text: 'x', style: {} }]);
  });

  it('does not treat private sequences ending in m as colours', () => {
    expect(applySgr({ bold: true }, '?1')).toEqual({ bold: true });
    expect(applySgr({ bold: true, fg: { index: 1 } }, '22;39')).toEqual({});
  });
});

describe('cssStyle', () => {
  it('maps the 16 colours to theme variables and swaps them for inverse', () => {
    expect(cssStyle({ fg: { index: 1 }, bold: true, underline: true })).toEqual({
      color: 'var(--ansi-1)',
      fontWeight: '700',
      textDecoration: 'underline',
    });
    expect(cssStyle({ fg: { index: 2 }, inverse: true })).toEqual({ color: 'var(--log-background)', backgroundColor: 'var(--ansi-2)' });
    expect(cssStyle({ bg: { rgb: [1, 2, 3] } })).toEqual({ backgroundColor: 'rgb(1, 2, 3)' });
  });

  it('computes the 256-colour cube and grey ramp', () => {
    expect(paletteColour(16)).toBe('rgb(0, 0, 0)');
    expect(paletteColour(196)).toBe('rgb(255, 0, 0)');
    expect(paletteColour(232)).toBe('rgb(8, 8, 8)');
    expect(paletteColour(255)).toBe('rgb(238, 238, 238)');
  });
});

describe('findLinks', () => {
  it('finds http and https addresses and leaves trailing punctuation out', () => {
    expect(findLinks('see https://example.com/a?b=1, or http://127.0.0.1:8080/.')).toEqual([
      { text: 'see ' },
      { text: 'https://example.com/a?b=1', url: 'https://example.com/a?b=1' },
      { text: ', or ' },
      { text: 'http://127.0.0.1:8080/', url: 'http://127.0.0.1:8080/' },
      { text: '.' },
    ]);
  });

  it('leaves javascript:, file: and data: addresses as inert text', () => {
    for (const text of ['javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,<b>x</b>', 'JAVASCRIPT://%0aalert(1)']) {
      expect(findLinks(text)).toEqual([{ text }]);
    }
  });

  it('does not let a quote or angle bracket end up inside an address', () => {
    expect(findLinks('"http://a.example/x"><b>')).toEqual([
      { text: '"' },
      { text: 'http://a.example/x', url: 'http://a.example/x' },
      { text: '"><b>' },
    ]);
  });
});
