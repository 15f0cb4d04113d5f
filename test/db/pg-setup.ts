// Runs before each suite of jest's `postgres` project: the harnesses create PostgreSQL databases
// (database.ts), and where no cluster could be started every test is skipped (the reason was
// printed once by pg-global-setup.ts).
process.env.SPIKELAB_TEST_DATABASE = 'postgresql';
if (process.env.SPIKELAB_TEST_PG_SKIP) {
  const g = globalThis as unknown as Record<'describe' | 'it' | 'test', { skip: unknown }>;
  for (const name of ['describe', 'it', 'test'] as const) g[name] = g[name].skip as never;
}
export {};
