// The compare cache's one invalidation rule reads a version that changes whenever a transaction
// that may change a comparison commits, whoever commits it (another connection, another server
// replica, psql):
// - SQLite: PRAGMA data_version, read on a connection of its own that never writes (a connection
//   does not see its own commits in it); any commit to the file changes it.
// - PostgreSQL: the counter row "DataVersion" (prisma/postgresql/migrations, the data_version
//   migration): statement triggers on every table compare reads mark the writing transaction, and a
//   deferred trigger adds 1 when it commits. The bump is part of the commit, so a reader never sees
//   the new version without the new rows, and its row lock is taken only while committing (after
//   every other lock of the transaction), so it cannot close a deadlock cycle.
import { openRawDatabase, type DatabaseHandle } from './db.js';

/** Tables whose writes bump PostgreSQL's data version: every table compare reads, a sweep's pivot (pivot.ts) included (test/registry/postgres.pg.test.ts checks). */
export const COMPARE_TABLES = ['ConversionRun', 'StepMetric', 'MetricSummary', 'Checkpoint', 'CheckpointAlias', 'Model', 'Dataset', 'Sweep', 'SweepPoint'] as const;

export interface DataVersion {
  read(): Promise<number>;
  close(): void;
}

export function openDataVersion(db: DatabaseHandle): DataVersion {
  const raw = db.raw;
  switch (raw.provider) {
    case 'sqlite': {
      const reader = openRawDatabase(db.url, { readonly: true });
      return {
        read: () => Promise.resolve(reader.pragma('data_version', { simple: true }) as number),
        close: () => reader.close(),
      };
    }
    case 'postgresql':
      return {
        read: async () => {
          // a named statement: parsed and planned once per connection
          const { rows } = await raw.pool.query<{ version: string }>({ name: 'spikelab_data_version', text: 'SELECT "version" FROM "DataVersion" WHERE "id" = 1' });
          return Number(rows[0]?.version ?? 0);
        },
        close: () => undefined,
      };
  }
}
