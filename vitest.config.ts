import { configDefaults, defineConfig } from 'vitest/config';

const ALL = ['apps/*/test/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts'];

// The container images' smoke test builds every image (minutes): it runs last, alone, so the images
// hold exactly what the rest of the suite tested (`npm run test:containers` runs it by itself).
const CONTAINERS = 'test/deploy/images.test.ts';

// Files whose subject is the whole database or the machine's timing: they warm every workspace's
// roll-ups and count what a warm rebuilt, run retention or repricing across the install, kill
// processes, or measure one tenant's effect on another. They run one at a time after the rest, so
// no other file writes events or loads the machine while they look.
const WHOLE_INSTALL = [
  'packages/semantic/test/semantic-layer.test.ts',
  'packages/semantic/test/read-path.test.ts',
  'packages/budgets/test/spend.test.ts',
  'apps/worker/test/warm-rollups.test.ts',
  'apps/worker/test/operations.test.ts',
  'apps/worker/test/crash-recovery.test.ts',
  'apps/worker/test/fault-tolerance.test.ts',
  'apps/api/test/consistency.test.ts',
  'apps/api/test/tenant-abuse.test.ts',
  'test/deploy/scale-out.test.ts',
];

const shared = {
  globalSetup: ['packages/test-support/src/global-setup.ts'],
  testTimeout: 60_000,
  hookTimeout: 120_000,
  pool: 'forks' as const,
};

// Every other file works in workspaces of its own on the run's database and queues under a prefix
// of its own (packages/test-support/src/platform.ts), so two run at a time: most of a file's time
// is spent waiting on its API, worker, PostgreSQL or Chromium, and the suite has to fit CI's time.
const suite = [
  { test: { ...shared, name: 'workspaces', include: ALL, exclude: [...configDefaults.exclude, ...WHOLE_INSTALL, CONTAINERS], maxWorkers: 2, sequence: { groupOrder: 0 } } },
  { test: { ...shared, name: 'whole-install', include: WHOLE_INSTALL, maxWorkers: 1, sequence: { groupOrder: 1 } } },
  { test: { ...shared, name: 'containers', include: [CONTAINERS], maxWorkers: 1, sequence: { groupOrder: 2 } } },
];

export default defineConfig({
  test: {
    projects: process.env.SPENDGRAPH_CONTAINER_TESTS === '1' ? suite.filter((p) => p.test.name === 'containers') : suite,
  },
});
