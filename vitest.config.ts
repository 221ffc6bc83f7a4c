import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'] } },
      // The real-music fixtures are built from Debian's soundtrack packages before the integration tests (test/real-music.ts).
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'], globalSetup: ['test/real-music.ts'], testTimeout: 60_000, hookTimeout: 120_000 } },
      // The test support that tests lean on (the fake identification services) is tested too.
      { extends: true, test: { name: 'support', include: ['test/support/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 60_000 } },
    ],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/**/*.test.ts'],
      reporter: ['text-summary', 'json-summary'],
      // The floor this project has reached; raise it as coverage grows, never lower it.
      thresholds: { statements: 92, branches: 84, functions: 94, lines: 94 },
    },
  },
});
