import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import type { TerminalInfo } from '../../../shared/contract';
import { useAppStore } from '../../store/store-context';
import { describeExit } from './exit-text';
import { isOpenableLink } from './links';
import { OutputWriter } from './output-writer';
import { terminalTheme } from './terminal-theme';

/**
 * How output is handed to xterm (see OutputWriter): what arrives within 50 ms is joined, and a
 * stream goes in writes of 2 MiB, each as soon as xterm has parsed the last. xterm parses a write
 * without yielding (40-60 ms for 2 MiB here) and draws after each, so larger writes mean fewer
 * frames: 50 MB took 3.1-3.8 s in Chromium with 2 MiB, 3.7-4.2 s with 1 MiB; clicks while it
 * streams were answered in p95 56 ms (bench/terminal-throughput.ts, terminal-responsiveness.ts).
 */
const writeIntervalMs = 50;
const maxWriteBytes = 2 * 1024 * 1024;

/**
 * One terminal: xterm and its addons live in refs (never in the store). Output is written with
 * xterm's write callback, which acknowledges it to the main process (end-to-end flow control).
 */
export function TerminalPane({ info, active }: { info: TerminalInfo; active: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const terminal = useRef<Terminal | undefined>(undefined);
  const fit = useRef<FitAddon | undefined>(undefined);
  const search = useRef<SearchAddon | undefined>(undefined);
  const [searching, setSearching] = useState(false);
  const [query, setQuery] = useState('');
  const fontSize = useAppStore((state) => state.settings?.values.terminalFontSize ?? 13);
  const scrollback = useAppStore((state) => state.settings?.values.terminalScrollback ?? 5000);
  const attachTerminalOutput = useAppStore((state) => state.attachTerminalOutput);
  const writeTerminal = useAppStore((state) => state.writeTerminal);
  const resizeTerminal = useAppStore((state) => state.resizeTerminal);
  const acknowledgeTerminal = useAppStore((state) => state.acknowledgeTerminal);
  const id = info.id;

  // Create xterm once per terminal.
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const term = new Terminal({
      allowProposedApi: true,
      fontFamily: getComputedStyle(document.documentElement).getPropertyValue('--font-mono').trim() || 'monospace',
      fontSize,
      scrollback,
      theme: terminalTheme(),
      // A steady cursor, as VS Code's terminal has by default: xterm's DOM renderer blinks with a
      // CSS animation of colours, which Chromium restyles every frame, 60 times a second. That
      // cost an idle, focused terminal 9-12% of a core here (bench/terminal-responsiveness.ts).
      cursorBlink: false,
    });
    const fitAddon = new FitAddon();
    const searchAddon = new SearchAddon();
    term.loadAddon(fitAddon);
    term.loadAddon(searchAddon);
    term.loadAddon(new Unicode11Addon());
    term.unicode.activeVersion = '11';
    term.loadAddon(
      new WebLinksAddon((event, uri) => {
        event.preventDefault();
        if (!isOpenableLink(uri)) return;
        if (window.confirm(`Open this link in your browser?\n\n${uri}`)) window.open(uri, '_blank', 'noopener,noreferrer');
      }),
    );
    // OSC 52 lets a program write the clipboard; a remote host or a pod must not. Swallow it.
    term.parser.registerOscHandler(52, () => true);
    term.attachCustomKeyEventHandler((event) => {
      if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey) return true;
      const key = event.key.toLowerCase();
      if (key === 'c' && term.hasSelection()) {
        void navigator.clipboard.writeText(term.getSelection());
        return false;
      }
      if (key === 'v') {
        void navigator.clipboard.readText().then((text) => term.paste(text));
        return false;
      }
      if (key === 'f') {
        setSearching(true);
        return false;
      }
      return true;
    });
    term.open(element);
    terminal.current = term;
    fit.current = fitAddon;
    search.current = searchAddon;

    const input = term.onData((data) => writeTerminal(id, data));
    const binary = term.onBinary((data) => writeTerminal(id, data));
    const resized = term.onResize(({ cols, rows }) => resizeTerminal(id, { cols, rows }));
    const writer = new OutputWriter({
      write: (data, parsed) => term.write(data, parsed),
      acknowledge: (byteCount) => acknowledgeTerminal(id, byteCount),
      minIntervalMs: writeIntervalMs,
      maxWriteBytes,
    });
    const detach = attachTerminalOutput(id, (output) => writer.push(output.data));

    // Refit when the pane changes size; one fit per animation frame.
    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (element.offsetParent !== null) fitAddon.fit();
      });
    });
    observer.observe(element);
    // Follow the app theme (html[data-theme]).
    const themeObserver = new MutationObserver(() => {
      term.options.theme = terminalTheme();
    });
    themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });

    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      themeObserver.disconnect();
      detach();
      writer.dispose();
      input.dispose();
      binary.dispose();
      resized.dispose();
      term.dispose();
      terminal.current = undefined;
    };
    // Font size and scrollback are applied below without recreating the terminal.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, attachTerminalOutput, writeTerminal, resizeTerminal, acknowledgeTerminal]);

  useEffect(() => {
    const term = terminal.current;
    if (!term) return;
    term.options.fontSize = fontSize;
    term.options.scrollback = scrollback;
    fit.current?.fit();
  }, [fontSize, scrollback]);

  useEffect(() => {
    if (!active) return;
    fit.current?.fit();
    terminal.current?.focus();
  }, [active]);

  // Say in the terminal itself that it ended, once.
  const exitLine = info.state === 'exited' ? describeExit(info.exit) : undefined;
  useEffect(() => {
    if (exitLine !== undefined) terminal.current?.write(`\r\n\x1b[2m[${exitLine}]\x1b[0m\r\n`);
  }, [exitLine]);

  const find = (forward: boolean) => {
    if (!query) return;
    if (forward) search.current?.findNext(query);
    else search.current?.findPrevious(query);
  };

  return (
    <div className="terminal-pane" hidden={!active} data-testid="terminal-pane" data-terminal-id={id}>
      <div className="terminal-toolbar">
        <span className="terminal-facts muted" data-testid="terminal-facts">
          {info.kubectl?.available === true &&
            info.kubectlNote === undefined &&
            `kubectl ${info.kubectl.version} (${info.kubectl.source === 'path' ? info.kubectl.path : info.kubectl.source})`}
          {info.kubectl?.available === false && 'kubectl not available'}
          {info.command && `Command: ${info.command.join(' ')}`}
        </span>
        {info.kubectlNote && (
          <span
            className={
              info.kubectlNote.tone === 'warning' ? 'terminal-kubectl-note terminal-kubectl-warning' : 'terminal-kubectl-note muted'
            }
            role={info.kubectlNote.tone === 'warning' ? 'alert' : undefined}
            data-testid="terminal-kubectl-note"
            data-tone={info.kubectlNote.tone}
          >
            {info.kubectlNote.tone === 'warning' && '⚠ '}
            {info.kubectlNote.text}
          </span>
        )}
        {info.state === 'exited' && (
          <span
            className={info.exit?.error ? 'terminal-status terminal-status-bad' : 'terminal-status'}
            role="status"
            data-testid="terminal-status"
          >
            {describeExit(info.exit)}
          </span>
        )}
        <button type="button" className="button-quiet" onClick={() => setSearching((open) => !open)} aria-pressed={searching}>
          Search
        </button>
      </div>
      {searching && (
        <form
          className="terminal-search"
          role="search"
          onSubmit={(event) => {
            event.preventDefault();
            find(true);
          }}
        >
          <input
            aria-label="Search the terminal"
            value={query}
            autoFocus
            onChange={(event) => setQuery(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') {
                setSearching(false);
                search.current?.clearDecorations();
                terminal.current?.focus();
              }
            }}
          />
          <button type="button" onClick={() => find(false)}>
            Previous
          </button>
          <button type="submit">Next</button>
        </form>
      )}
      <div className="terminal-host" ref={host} />
    </div>
  );
}
