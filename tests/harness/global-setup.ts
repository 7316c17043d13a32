import { dirname } from 'node:path';
import { ensureControlPlaneBinaries, onPath } from './binaries.js';

/**
 * Vitest globalSetup for projects that start control planes: provisions the binaries once, before
 * any test file runs, so a first build (4-6 minutes) is not charged to one file's hookTimeout
 * while parallel files wait on provision.sh's lock. A machine without kubectl gets the one
 * provision.sh built, first on PATH: tests and the app's terminals run `kubectl` by name.
 */
export default function setup(): void {
  const { kubectl } = ensureControlPlaneBinaries();
  if (onPath('kubectl') === undefined) process.env.PATH = `${dirname(kubectl)}:${process.env.PATH ?? ''}`;
}
