import { ensureControlPlaneBinaries } from './binaries.js';

/**
 * Vitest globalSetup for projects that start control planes: provisions the binaries once, before
 * any test file runs, so a first build (4-6 minutes) is not charged to one file's hookTimeout
 * while parallel files wait on provision.sh's lock.
 */
export default function setup(): void {
  ensureControlPlaneBinaries();
}
