import { defineConfig } from 'vitest/config';

/**
 * Electron shell tests (`npm run test:electron`). They need the Electron binary, which cannot
 * be downloaded on the offline CI machines, so they are not part of `npm test` and are never
 * counted as passing there. Run them on a machine where `npx electron --version` works.
 */
export default defineConfig({
  test: { include: ['tests/electron/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000 },
});
