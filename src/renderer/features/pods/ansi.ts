/**
 * ANSI SGR colours of log lines, parsed into styled spans. The output is data (text plus a
 * style), rendered as React text nodes: nothing in a log line is ever HTML. Every other escape
 * sequence (cursor moves, OSC 8 hyperlinks, OSC 52 clipboard writes, title changes) is dropped
 * and control characters are removed, so a line cannot move the view or smuggle a link.
 */

/** A palette index (0-255) or a 24-bit colour. */
export type AnsiColour = { index: number } | { rgb: [number, number, number] };

export interface AnsiStyle {
  fg?: AnsiColour;
  bg?: AnsiColour;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
  strike?: boolean;
}

export interface AnsiSpan {
  text: string;
  style: AnsiStyle;
}

/* eslint-disable no-control-regex -- these patterns exist to find control characters */
// CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other two-byte escapes, and 8-bit CSI.
const ESCAPE =
  /\x1b\[([0-?]*)[ -/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\|$)|\x1b[PX^_][^\x1b]*(?:\x1b\\|$)|\x1b[ -~]?|\x9b[0-?]*[ -/]*[@-~]/g;
// C0 and C1 controls except tab.
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;
/* eslint-enable no-control-regex */

/** The text without escape sequences or control characters: what search and download use. */
export function stripAnsi(text: string): string {
  if (!text.includes('\x1b') && !hasControl(text)) return text;
  return text.replace(ESCAPE, '').replace(CONTROL, '');
}

function hasControl(text: string): boolean {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text);
}

/** Splits a line into spans of one style each. Empty spans are left out. */
export function parseAnsi(text: string): AnsiSpan[] {
  if (!text.includes('\x1b') && !text.includes('\x9b')) {
    const clean = text.replace(CONTROL, '');
    return clean === '' ? [] : [{ text: clean, style: {} }];
  }
  const spans: AnsiSpan[] = [];
  let style: AnsiStyle = {};
  let last = 0;
  const push = (part: string) => {
    const clean = part.replace(CONTROL, '');
    if (clean !== '') spans.push({ text: clean, style });
  };
  ESCAPE.lastIndex = 0;
  for (let match = ESCAPE.exec(text); match !== null; match = ESCAPE.exec(text)) {
    push(text.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[2] === 'm' && match[0].startsWith('\x1b[')) style = applySgr(style, match[1] ?? '');
  }
  push(text.slice(last));
  return spans;
}

/** Applies one SGR sequence's parameters ("1;31", "38;5;208", "38;2;255;0;0", "" = reset). */
export function applySgr(current: AnsiStyle, parameters: string): AnsiStyle {
  // Private sequences (ESC [ ? ... m) are not SGR.
  if (/[<=>?]/.test(parameters)) return current;
  const codes = parameters === '' ? [0] : parameters.split(/[;:]/).map((part) => (part === '' ? 0 : Number(part)));
  let style: AnsiStyle = { ...current };
  for (let i = 0; i < codes.length; i += 1) {
    const code = codes[i]!;
    if (code === 0) style = {};
    else if (code === 1) style.bold = true;
    else if (code === 2) style.dim = true;
    else if (code === 3) style.italic = true;
    else if (code === 4) style.underline = true;
    else if (code === 7) style.inverse = true;
    else if (code === 9) style.strike = true;
    else if (code === 22) {
      delete style.bold;
      delete style.dim;
    } else if (code === 23) delete style.italic;
    else if (code === 24) delete style.underline;
    else if (code === 27) delete style.inverse;
    else if (code === 29) delete style.strike;
    else if (code >= 30 && code <= 37) style.fg = { index: code - 30 };
    else if (code === 39) delete style.fg;
    else if (code >= 40 && code <= 47) style.bg = { index: code - 40 };
    else if (code === 49) delete style.bg;
    else if (code >= 90 && code <= 97) style.fg = { index: code - 90 + 8 };
    else if (code >= 100 && code <= 107) style.bg = { index: code - 100 + 8 };
    else if (code === 38 || code === 48) {
      const { colour, used } = extendedColour(codes, i + 1);
      i += used;
      if (colour) {
        if (code === 38) style.fg = colour;
        else style.bg = colour;
      }
    }
  }
  return style;
}

function extendedColour(codes: number[], at: number): { colour?: AnsiColour; used: number } {
  const mode = codes[at];
  const valid = (value: number | undefined) => value !== undefined && Number.isInteger(value) && value >= 0 && value <= 255;
  if (mode === 5) {
    const index = codes[at + 1];
    return valid(index) ? { colour: { index: index! }, used: 2 } : { used: 2 };
  }
  if (mode === 2) {
    const [r, g, b] = [codes[at + 1], codes[at + 2], codes[at + 3]];
    return valid(r) && valid(g) && valid(b) ? { colour: { rgb: [r!, g!, b!] }, used: 4 } : { used: 4 };
  }
  return { used: 1 };
}

/** The 256-colour palette beyond the 16 theme colours, as CSS rgb(). */
export function paletteColour(index: number): string {
  if (index >= 232) {
    const level = 8 + (index - 232) * 10;
    return `rgb(${level}, ${level}, ${level})`;
  }
  const cube = index - 16;
  const step = (value: number) => (value === 0 ? 0 : 55 + value * 40);
  return `rgb(${step(Math.floor(cube / 36))}, ${step(Math.floor(cube / 6) % 6)}, ${step(cube % 6)})`;
}

/** A colour as a CSS value: the 16 base colours follow the theme (CSS variables). */
export function cssColour(colour: AnsiColour): string {
  if ('rgb' in colour) return `rgb(${colour.rgb[0]}, ${colour.rgb[1]}, ${colour.rgb[2]})`;
  if (colour.index < 16) return `var(--ansi-${colour.index})`;
  return paletteColour(colour.index);
}

/** A span's style as React CSS properties (set through the DOM's style object, never as markup). */
export function cssStyle(style: AnsiStyle): Record<string, string> {
  const css: Record<string, string> = {};
  let fg = style.fg ? cssColour(style.fg) : undefined;
  let bg = style.bg ? cssColour(style.bg) : undefined;
  if (style.inverse) [fg, bg] = [bg ?? 'var(--log-background)', fg ?? 'var(--log-foreground)'];
  if (fg) css.color = fg;
  if (bg) css.backgroundColor = bg;
  if (style.bold) css.fontWeight = '700';
  if (style.dim) css.opacity = '0.7';
  if (style.italic) css.fontStyle = 'italic';
  const decorations = [style.underline ? 'underline' : '', style.strike ? 'line-through' : ''].filter(Boolean);
  if (decorations.length > 0) css.textDecoration = decorations.join(' ');
  return css;
}

/** A piece of text that is a web address (http or https only) or plain text. */
export interface TextPart {
  text: string;
  url?: string;
}

const URL_PATTERN = /\bhttps?:\/\/[^\s"'<>`\\]+/gi;

/**
 * Finds http(s) addresses in plain text. Anything else that looks like a link (javascript:,
 * file:, data:) stays text; trailing punctuation is left out of the address.
 */
export function findLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  URL_PATTERN.lastIndex = 0;
  for (let match = URL_PATTERN.exec(text); match !== null; match = URL_PATTERN.exec(text)) {
    let url = match[0];
    const trailing = /[.,;:!?)\]}]+$/.exec(url);
    if (trailing) url = url.slice(0, -trailing[0].length);
    if (!isWebUrl(url)) continue;
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    parts.push({ text: url, url });
    last = match.index + url.length;
    URL_PATTERN.lastIndex = last;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

function isWebUrl(candidate: string): boolean {
  try {
    const url = new URL(candidate);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
