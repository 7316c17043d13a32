import { defineConfig } from 'vitest/config';

/**
 * Four tiers, one runner:
 * - unit: co-located `*.test.ts(x)` beside the code, no servers;
 * - integration: services against real servers on loopback (sshd, kube-apiserver);
 * - real-vms: labs on a real libvirt host with QEMU guests (tests/integration/real-vms);
 * - e2e: Playwright (playwright-core) driving Debian's Chromium against browser mode.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'scripts/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/harness/isolated-home.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          exclude: ['tests/integration/real-vms/**'],
          // A home folder of the tests' own, then the control-plane binaries (a first build takes minutes).
          globalSetup: ['tests/harness/isolated-home.ts', 'tests/harness/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Real libvirt, QEMU guests under software emulation: one file at a time, after the
        // integration tier, so the guests do not share the two cores with other tests.
        test: {
          name: 'real-vms',
          include: ['tests/integration/real-vms/**/*.test.ts'],
          globalSetup: ['tests/harness/isolated-home.ts', 'tests/harness/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/harness/isolated-home.ts', 'tests/harness/global-setup.ts', 'tests/e2e/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
