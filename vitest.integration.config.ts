// Integration and end-to-end tests (test/): real Postgres — DATABASE_URL when set, testcontainers when a
// Docker engine answers, the embedded engine otherwise (test/helpers/global-setup.ts) — simulators on
// loopback, worker processes.
import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'integration',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
