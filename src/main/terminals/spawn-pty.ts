import { spawn, type IPty } from 'node-pty';

/** What a pty is started with. */
export interface PtyOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  cols: number;
  rows: number;
}

/**
 * Starts a program on a new pseudo-terminal. Output arrives as Buffers (no decoding here: the
 * batcher splits on UTF-8 boundaries itself). The one place that calls node-pty, so tests and
 * benchmarks can wrap it.
 */
export type SpawnPty = (file: string, args: readonly string[], options: PtyOptions) => IPty;

export const spawnPty: SpawnPty = (file, args, options) =>
  spawn(file, [...args], {
    name: 'xterm-256color',
    encoding: null,
    cwd: options.cwd,
    env: options.env,
    cols: options.cols,
    rows: options.rows,
  });
