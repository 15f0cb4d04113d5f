// In-memory cache of whole per-step series (run, metric) for succeeded runs, bounded by a float
// budget with least-recently-used eviction. Sound because a succeeded run's StepMetric rows are
// immutable: they are written in the transaction that marks the run SUCCEEDED, and bulk ingestion
// refuses succeeded runs (ingestStepMetrics); run ids are AUTOINCREMENT, never reused.
import type Database from 'better-sqlite3';

export class SeriesCache {
  private readonly entries = new Map<string, Float64Array>();
  private floats = 0;
  private readonly fill: Database.Statement;

  constructor(
    raw: Database.Database,
    /** Most floats held (default 8 M = 64 MB). */
    private readonly budget = 8 * 1024 * 1024,
  ) {
    this.fill = raw.prepare('SELECT "conversionRunId", "step", "value" FROM "StepMetric" WHERE "conversionRunId" IN (SELECT value FROM json_each(?)) AND "name" = ?').raw(true);
  }

  private static key(runId: number, metric: string): string {
    return `${runId}\u0000${metric}`;
  }

  /** Series of `metric` for each run (index t-1 = step t, NaN where absent), loading misses in one query. */
  get(runs: readonly { id: number; timeSteps: number }[], metric: string): Map<number, Float64Array> {
    const out = new Map<number, Float64Array>();
    const missing: { id: number; timeSteps: number }[] = [];
    for (const r of runs) {
      const k = SeriesCache.key(r.id, metric);
      const hit = this.entries.get(k);
      if (hit) {
        this.entries.delete(k); // refresh recency
        this.entries.set(k, hit);
        out.set(r.id, hit);
      } else missing.push(r);
    }
    if (missing.length === 0) return out;
    const fresh = new Map(missing.map((r) => [r.id, new Float64Array(r.timeSteps).fill(NaN)]));
    for (let i = 0; i < missing.length; i += 500) {
      const ids = missing.slice(i, i + 500).map((r) => r.id);
      for (const [id, step, value] of this.fill.all(JSON.stringify(ids), metric) as [number, number, number][]) {
        const arr = fresh.get(id);
        if (arr && step >= 1 && step <= arr.length) arr[step - 1] = value;
      }
    }
    for (const [id, arr] of fresh) {
      out.set(id, arr);
      this.entries.set(SeriesCache.key(id, metric), arr);
      this.floats += arr.length;
    }
    this.evict();
    return out;
  }

  private evict(): void {
    for (const [k, v] of this.entries) {
      if (this.floats <= this.budget) break;
      this.entries.delete(k);
      this.floats -= v.length;
    }
  }
}
