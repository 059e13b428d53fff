import { configDefaults, defineConfig } from 'vitest/config';

// The container images' smoke test builds images (minutes on a fresh machine): `npm run test:containers`.
const CONTAINERS = 'test/deploy/images.test.ts';
const containers = process.env.SPENDGRAPH_CONTAINER_TESTS === '1';

export default defineConfig({
  test: {
    include: containers ? [CONTAINERS] : ['apps/*/test/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: containers ? configDefaults.exclude : [...configDefaults.exclude, CONTAINERS],
    globalSetup: ['packages/test-support/src/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
