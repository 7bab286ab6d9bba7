import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Forks, not threads: the Temporal native bridge crashes in worker threads.
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    // expect.poll's own default (1 s) is shorter than one page load on the loaded CI machine; a poll that succeeds
    // returns at once, so only a failing one waits this long.
    expect: { poll: { timeout: 15_000 } },
    reporters: ['default'],
  },
});
