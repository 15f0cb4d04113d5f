// Per-step metrics and layer statistics: bulk ingestion in hand-written SQL, one variant per
// database (Prisma's per-row overhead is too high for 10^5 rows/s), series reads and batch lookups
// for DataLoaders through Prisma.
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { LayerStat, PrismaClient, RawConnection } from './db.js';
import { InvalidInputError } from './errors.js';

export type { LayerStat } from './db.js';

export interface StepPoint {
  step: number;
  value: number;
}

/** Which steps of a series to return: exact steps, every k-th step, or about N points. */
export interface SeriesSelection {
  steps?: readonly number[] | null;
  every?: number | null;
  /** Downsample to at most N (≥ 4) points, always keeping the first, last, minimum and maximum. */
  sample?: number | null;
}

/** One StepMetric row for ingestion: run id, metric name, step (1-based), value. */
export type StepMetricRow = readonly [number, string, number, number];

function checkRow(r: StepMetricRow): void {
  if (!Number.isInteger(r[2]) || r[2] < 1) throw new InvalidInputError('step', `must be an integer ≥ 1 (got ${r[2]} for run ${r[0]}, ${r[1]})`);
  if (!Number.isFinite(r[3])) throw new InvalidInputError('value', `must be a finite number (got ${r[3]} for run ${r[0]}, ${r[1]} step ${r[2]})`);
}

function refusal(bad: readonly { id: number; status: string | null }[]): InvalidInputError {
  const shown = bad.slice(0, 5).map((b) => (b.status ? `run ${b.id} already succeeded (its metrics are final)` : `no conversion run ${b.id}`));
  return new InvalidInputError('conversionRunId', shown.join('; ') + (bad.length > 5 ? ` and ${bad.length - 5} more` : ''));
}

/**
 * Inserts (or replaces) rows in one transaction. A missing run, or one
 * already SUCCEEDED (whose metrics are final and may be cached), a step below 1 or a value that is
 * not finite rolls everything back with InvalidInputError. A row given twice keeps its last value. Returns the
 * number of rows given.
 */
export async function ingestStepMetrics(raw: RawConnection, rows: Iterable<StepMetricRow>): Promise<number> {
  switch (raw.provider) {
    case 'sqlite':
      return ingestSqlite(raw.db, rows);
    case 'postgresql':
      return ingestPostgres(raw.pool, rows);
  }
}

/**
 * SQLite: one prepared statement; the foreign key to ConversionRun is checked once per run at the
 * end of the transaction instead of once per row. Synchronous by design: the transaction must not
 * interleave with other writes on this handle.
 */
function ingestSqlite(db: Database.Database, rows: Iterable<StepMetricRow>): number {
  const insert = db.prepare('INSERT OR REPLACE INTO "StepMetric" ("conversionRunId", "name", "step", "value") VALUES (?, ?, ?, ?)');
  const refused = db.prepare('SELECT j.value AS id, r."status" AS status FROM json_each(?) j LEFT JOIN "ConversionRun" r ON r."id" = j.value WHERE r."id" IS NULL OR r."status" = \'SUCCEEDED\'');
  const fk = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    return db.transaction(() => {
      let n = 0;
      const runs = new Set<number>();
      for (const r of rows) {
        checkRow(r);
        insert.run(r[0], r[1], r[2], r[3]);
        runs.add(r[0]);
        n++;
      }
      const bad = refused.all(JSON.stringify([...runs])) as { id: number; status: string | null }[];
      if (bad.length > 0) throw refusal(bad);
      return n;
    })();
  } finally {
    if (fk) db.pragma('foreign_keys = ON');
  }
}

/** Rows per INSERT statement on PostgreSQL (four parameter arrays of this length). */
const PG_CHUNK = 50_000;

/**
 * PostgreSQL: the runs are checked first and share-locked (so none can succeed meanwhile), then the
 * rows go in as four arrays per statement, unnested server-side, upserted on the primary key.
 */
async function ingestPostgres(pool: pg.Pool, rows: Iterable<StepMetricRow>): Promise<number> {
  // one statement may not upsert a key twice: keep the last value of a repeated row
  const byKey = new Map<string, StepMetricRow>();
  let given = 0;
  for (const r of rows) {
    checkRow(r);
    given++;
    byKey.set(`${r[0]}\u0000${r[2]}\u0000${r[1]}`, r);
  }
  const all = [...byKey.values()];
  const runs = [...new Set(all.map((r) => r[0]))];
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const found = await client.query<{ id: number; status: string }>('SELECT "id", "status" FROM "ConversionRun" WHERE "id" = ANY($1::int[]) FOR SHARE', [runs]);
    const status = new Map(found.rows.map((r) => [r.id, r.status]));
    const bad = runs.filter((id) => !status.has(id) || status.get(id) === 'SUCCEEDED');
    if (bad.length > 0) throw refusal(bad.map((id) => ({ id, status: status.get(id) ?? null })));
    for (let i = 0; i < all.length; i += PG_CHUNK) {
      const chunk = all.slice(i, i + PG_CHUNK);
      await client.query(
        'INSERT INTO "StepMetric" ("conversionRunId", "name", "step", "value") SELECT * FROM unnest($1::int[], $2::text[], $3::int[], $4::float8[]) ' +
          'ON CONFLICT ("conversionRunId", "name", "step") DO UPDATE SET "value" = EXCLUDED."value"',
        [chunk.map((r) => r[0]), chunk.map((r) => r[1]), chunk.map((r) => r[2]), chunk.map((r) => r[3])],
      );
    }
    await client.query('COMMIT');
    return given;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Indices kept when downsampling n points to at most `max`: evenly spaced ones plus the first,
 * last, argmin and argmax (ties: the earliest), in ascending order.
 */
export function sampleIndices(values: readonly number[], max: number): number[] {
  const n = values.length;
  if (n <= max) return values.map((_, i) => i);
  let lo = 0;
  let hi = 0;
  values.forEach((v, i) => {
    if (v < values[lo]!) lo = i;
    if (v > values[hi]!) hi = i;
  });
  const keep = new Set([0, n - 1, lo, hi]);
  const spread = Math.max(0, max - keep.size);
  for (let k = 1; k <= spread && keep.size < max; k++) keep.add(Math.round((k * (n - 1)) / (spread + 1)));
  return [...keep].sort((a, b) => a - b);
}

function checkSelection(sel: SeriesSelection): void {
  const given = [sel.steps != null, sel.every != null, sel.sample != null].filter(Boolean).length;
  if (given > 1) throw new InvalidInputError('steps', 'give at most one of steps, every, sample');
  if (sel.every != null && (!Number.isInteger(sel.every) || sel.every < 1)) throw new InvalidInputError('every', 'must be a positive integer');
  if (sel.sample != null && (!Number.isInteger(sel.sample) || sel.sample < 4)) throw new InvalidInputError('sample', 'must be an integer ≥ 4 (first, last, min and max are always kept)');
}

/** Applies a selection to a whole series (ordered by step): exact steps, every k-th from 1 plus the last, or a downsample. */
function select(all: StepPoint[], sel: SeriesSelection): StepPoint[] {
  if (sel.steps != null) {
    const want = new Set(sel.steps);
    return all.filter((p) => want.has(p.step));
  }
  if (sel.every != null) {
    const k = sel.every;
    return all.filter((p, i) => (p.step - 1) % k === 0 || i === all.length - 1);
  }
  if (sel.sample != null) return sampleIndices(all.map((p) => p.value), sel.sample).map((i) => all[i]!);
  return all;
}

export class MetricsService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly raw: RawConnection,
  ) {}

  /** Bulk ingestion (ingestStepMetrics): one transaction, all or nothing. */
  ingest(rows: Iterable<StepMetricRow>): Promise<number> {
    return ingestStepMetrics(this.raw, rows);
  }

  /** One metric of one run, ordered by step, restricted by `sel` (at most one of its fields). */
  async series(runId: number, name: string, sel: SeriesSelection = {}): Promise<StepPoint[]> {
    return (await this.seriesMany([{ runId, name, sel }]))[0]!;
  }

  /**
   * Batch form for DataLoaders: one indexed query per metric name for all the runs asked, the
   * selection applied per run afterwards. result[i] belongs to keys[i].
   */
  async seriesMany(keys: readonly { runId: number; name: string; sel?: SeriesSelection }[]): Promise<StepPoint[][]> {
    keys.forEach((k) => checkSelection(k.sel ?? {}));
    const byName = new Map<string, Map<number, StepPoint[]>>();
    for (const name of new Set(keys.map((k) => k.name))) {
      const runs = [...new Set(keys.filter((k) => k.name === name).map((k) => k.runId))];
      const rows = await this.prisma.stepMetric.findMany({
        where: { conversionRunId: { in: runs }, name },
        select: { conversionRunId: true, step: true, value: true },
        orderBy: [{ conversionRunId: 'asc' }, { step: 'asc' }],
      });
      const perRun = new Map<number, StepPoint[]>(runs.map((id) => [id, []]));
      for (const r of rows) perRun.get(r.conversionRunId)!.push({ step: r.step, value: r.value });
      byName.set(name, perRun);
    }
    return keys.map((k) => select(byName.get(k.name)!.get(k.runId)!, k.sel ?? {}));
  }

  /** Metric names recorded for each run (DataLoader batch). */
  async namesOf(runIds: readonly number[]): Promise<string[][]> {
    const rows = await this.prisma.stepMetric.groupBy({ by: ['conversionRunId', 'name'], where: { conversionRunId: { in: [...runIds] } }, orderBy: { name: 'asc' } });
    return runIds.map((id) => rows.filter((r) => r.conversionRunId === id).map((r) => r.name));
  }

  /** Layer statistics of each run in network order (DataLoader batch). */
  async layerStatsOf(runIds: readonly number[]): Promise<LayerStat[][]> {
    const rows = await this.prisma.layerStat.findMany({ where: { conversionRunId: { in: [...runIds] } }, orderBy: [{ conversionRunId: 'asc' }, { position: 'asc' }] });
    return runIds.map((id) => rows.filter((r) => r.conversionRunId === id));
  }
}
