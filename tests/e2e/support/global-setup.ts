import { execFileSync } from 'node:child_process';

/** The e2e suite runs against the built app, so build it first (a few seconds). */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build'], { stdio: 'inherit' });
}
