import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Renders synthesize real cdktf and cdk8s apps; a cold one takes about a second.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
