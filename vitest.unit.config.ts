// Unit tests: beside the code (src/**/*.test.ts), pure or with in-process servers, no database.
// `npm run test:unit` runs them alone, in seconds.
import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'unit',
    include: ['src/**/*.test.ts'],
    testTimeout: 10_000,
  },
});
