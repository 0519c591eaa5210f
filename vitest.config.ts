// `npm test` runs both projects: unit (vitest.unit.config.ts) and integration (vitest.integration.config.ts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['./vitest.unit.config.ts', './vitest.integration.config.ts'],
    pool: 'forks',
    maxWorkers: 2,
  },
});
