import { availableParallelism } from 'node:os'
import { configDefaults, defineConfig } from 'vitest/config'

// `npm test` runs two projects. `sqlite` is every suite on SQLite files, the embedded default.
// `postgres` runs the suites of the code that keeps data (the provider, the plugin's session store
// and the demo that uses it) again on PostgreSQL: `testDatabaseUrl` (packages/testing) then gives
// each test provider and session store a schema of its own in the database `test` of
// PASSKEY_ID_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test).
export default defineConfig({
  test: {
    // Vitest's default (one worker fewer than cores) is one worker on a two-core machine, where the
    // suites mostly wait on sockets, child processes and Chromium: 13.5 min for one Node line,
    // 8 min with two workers (same run, Node 24), and CI runs three lines.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // expect.poll defaults to 1 s, too short for the Chromium navigations and passkey ceremonies the
    // browser tests poll on a loaded two-core CI machine; a test's own timeout still bounds it.
    expect: { poll: { timeout: 15_000 } },
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: [
            'packages/*/src/**/*.test.ts',
            'packages/*/test/**/*.test.ts',
            'examples/*/test/**/*.test.ts',
            'tests/**/*.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: [
            'packages/provider/src/**/*.test.ts',
            'packages/provider/test/**/*.test.ts',
            'packages/fastify/src/**/*.test.ts',
            'packages/fastify/test/**/*.test.ts',
            'examples/demo/test/**/*.test.ts',
          ],
          exclude: [
            ...configDefaults.exclude,
            // About SQLite itself: which SQLite driver module the plugin loads, and when.
            'packages/fastify/test/databaseDriver.test.ts',
            // About sockets that stall (10 s timeouts each), which no database takes part in.
            'packages/provider/test/stalledClients.test.ts',
            'examples/demo/test/stalledClients.test.ts',
          ],
          env: { PASSKEY_ID_TEST_DATABASE: 'postgres' },
          // Drops the schemas of earlier runs whose worker died before closing them, and fails the
          // run at once, saying how to start PostgreSQL, when it is not there.
          globalSetup: ['packages/testing/src/database/dropLeftoverSchemas.ts'],
        },
      },
    ],
  },
})
