import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.{ts,tsx}'],
          environment: 'node',
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          // One real engine, sshd and nginx are shared: e2e files run one at a
          // time (tests that stop dockerd or sshd must not surprise others).
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
          globalSetup: ['test/support/e2e-global-setup.ts'],
        },
      },
      {
        // Scores on frozen corpora (npm run score): figures for the closing notes, not pass/fail gates of
        // the suite while the thresholds are not reached; each prints its score and asserts the target.
        test: {
          name: 'score',
          include: ['test/score/**/*.score.ts'],
          environment: 'node',
          testTimeout: 900_000,
        },
      },
    ],
  },
})
