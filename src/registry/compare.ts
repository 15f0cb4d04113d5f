// The backbone × time-step comparison (src/formats/compare.ts) over succeeded conversion runs.
// Two indexed raw queries (runs with their model and dataset; the metric at the requested steps
// through StepMetric's primary key), so 200 runs × 9 steps stay a few milliseconds.
import type Database from 'better-sqlite3';
import type { CompareMatrix, CompareRow } from '../formats/index.js';
import { InvalidInputError } from './errors.js';
import { SeriesCache } from './series-cache.js';
import { ARCHITECTURES, MODEL_FAMILIES, PRETRAINING_KINDS, isOneOf } from './vocab.js';
import type { RunFilter } from './runs.js';

export interface CompareParams {
  /** Explicit runs; when absent, every succeeded run matching `filter`. */
  runIds?: readonly number[] | null;
  filter?: RunFilter | null;
  /** Metric to compare (default: the runs' primary metric). */
  metric?: string | null;
  /** Steps of the matrix (default 1, 2, 4, …, T and T itself). */
  steps?: readonly number[] | null;
}

interface RunRow {
  id: number;
  timeSteps: number;
  primaryMetric: string | null;
  annValue: number | null;
  annMetrics: string | null;
  best: number | null;
  bestStep: number | null;
  firstStepWithin1: number | null;
  lossAtT: number | null;
  sops: number | null;
  annMacs: number | null;
  energyRatio: number | null;
  backbone: string;
  architecture: string;
  family: string;
  parameterCount: number | null;
  pretraining: string;
  dataset: string;
}

const RUNS_SQL = `SELECT r."id", r."timeSteps", r."primaryMetric", r."annValue", r."annMetrics", r."best", r."bestStep", r."firstStepWithin1",
  r."lossAtT", r."sops", r."annMacs", r."energyRatio", m."name" AS backbone, m."architecture", m."family", m."parameterCount",
  m."pretraining", d."name" AS dataset
FROM "ConversionRun" r JOIN "Checkpoint" c ON c."id" = r."checkpointId" JOIN "Model" m ON m."id" = c."modelId" JOIN "Dataset" d ON d."id" = r."datasetId"
WHERE r."deletedAt" IS NULL AND r."status" = 'SUCCEEDED'`;

/** 1, 2, 4, … up to T, and T itself. */
export function defaultSteps(T: number): number[] {
  const steps: number[] = [];
  for (let t = 1; t <= T; t *= 2) steps.push(t);
  if (steps.at(-1) !== T && T >= 1) steps.push(T);
  return steps;
}

function filterSql(f: RunFilter): { sql: string; args: (string | number)[] } {
  const parts: string[] = [];
  const args: (string | number)[] = [];
  const eq = (col: string, v: string | number | null | undefined): void => {
    if (v != null) {
      parts.push(`${col} = ?`);
      args.push(v);
    }
  };
  if (f.architecture != null && !isOneOf(ARCHITECTURES, f.architecture)) throw new InvalidInputError('architecture', `must be one of ${ARCHITECTURES.join(', ')}`);
  if (f.family != null && !isOneOf(MODEL_FAMILIES, f.family)) throw new InvalidInputError('family', `must be one of ${MODEL_FAMILIES.join(', ')}`);
  if (f.pretraining != null && !isOneOf(PRETRAINING_KINDS, f.pretraining)) throw new InvalidInputError('pretraining', `must be one of ${PRETRAINING_KINDS.join(', ')}`);
  eq('r."datasetId"', f.datasetId);
  eq('m."id"', f.modelId);
  eq('m."architecture"', f.architecture);
  eq('m."family"', f.family);
  eq('m."pretraining"', f.pretraining);
  eq('r."timeSteps"', f.timeSteps);
  const cond = (sql: string, v: string | number | null | undefined): void => {
    if (v != null) {
      parts.push(sql);
      args.push(v);
    }
  };
  cond('m."parameterCount" >= ?', f.minParameters);
  cond('m."parameterCount" <= ?', f.maxParameters);
  cond('EXISTS (SELECT 1 FROM "CheckpointAlias" a WHERE a."checkpointId" = c."id" AND a."alias" = ?)', f.alias);
  return { sql: parts.map((p) => ` AND ${p}`).join(''), args };
}

export class CompareService {
  private readonly stmts = new Map<string, Database.Statement>();
  private readonly series: SeriesCache;
  /** Whole results, valid while no other connection has committed (PRAGMA data_version unchanged). */
  private memo: { version: number; results: Map<string, CompareMatrix> } = { version: -1, results: new Map() };

  constructor(private readonly raw: Database.Database) {
    this.series = new SeriesCache(raw);
  }

  private stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) this.stmts.set(sql, (s = this.raw.prepare(sql)));
    return s;
  }

  /** Changes whenever another connection commits (SQLite's PRAGMA data_version on the read handle). */
  dataVersion(): number {
    return this.raw.pragma('data_version', { simple: true }) as number;
  }

  compare(p: CompareParams): CompareMatrix {
    const version = this.dataVersion();
    if (version !== this.memo.version) this.memo = { version, results: new Map() };
    const key = JSON.stringify([p.runIds ?? null, p.filter ?? null, p.metric ?? null, p.steps ?? null]);
    const hit = this.memo.results.get(key);
    if (hit) return hit;
    const result = this.compute(p);
    if (this.memo.results.size >= 64) this.memo.results.clear();
    this.memo.results.set(key, result);
    return result;
  }

  private compute(p: CompareParams): CompareMatrix {
    if (p.runIds != null && p.runIds.length === 0) throw new InvalidInputError('runIds', 'give at least one run id');
    const f = filterSql(p.filter ?? {});
    const byIds = p.runIds != null ? ' AND r."id" IN (SELECT value FROM json_each(?))' : '';
    const runs = this.stmt(`${RUNS_SQL}${byIds}${f.sql} ORDER BY m."parameterCount", m."name", r."id"`).all(...(p.runIds != null ? [JSON.stringify(p.runIds)] : []), ...f.args) as RunRow[];
    if (p.runIds != null && runs.length < new Set(p.runIds).size) {
      const found = new Set(runs.map((r) => r.id));
      const missing = p.runIds.filter((id) => !found.has(id));
      throw new InvalidInputError('runIds', `no succeeded conversion run ${missing.join(', ')}`);
    }
    const metric = p.metric ?? mostCommon(runs.map((r) => r.primaryMetric ?? '')) ?? 'accuracy';
    const maxT = runs.reduce((m, r) => Math.max(m, r.timeSteps), 0);
    const steps = p.steps ? [...new Set(p.steps)].sort((a, b) => a - b) : defaultSteps(maxT);
    if (steps.some((s) => !Number.isInteger(s) || s < 1 || s > 4096)) throw new InvalidInputError('steps', 'steps must be integers in 1..4096');
    const series = this.series.get(runs, metric);
    const lacking: number[] = [];
    const rows = runs.flatMap((r): CompareRow[] => {
      const primary = r.primaryMetric === metric;
      const ann = primary ? (r.annValue ?? NaN) : ((JSON.parse(r.annMetrics ?? '{}') as Record<string, number>)[metric] ?? NaN);
      const all = series.get(r.id);
      // a run that did not record this metric (or its ANN value) has no row
      if (!Number.isFinite(ann) || !all || all.every((v) => Number.isNaN(v))) {
        lacking.push(r.id);
        return [];
      }
      const vals = steps.map((s) => {
        const v = all?.[s - 1];
        return v === undefined || Number.isNaN(v) ? null : v;
      });
      const derived = primary ? r : this.derive(r.id, metric, ann, r.timeSteps);
      return [{
        conversionRunId: String(r.id),
        backbone: r.backbone,
        architecture: r.architecture,
        family: r.family,
        parameterCount: r.parameterCount ?? 0,
        pretraining: r.pretraining,
        dataset: r.dataset,
        metric,
        timeSteps: r.timeSteps,
        annValue: ann,
        values: vals,
        losses: vals.map((v) => (v == null ? null : ann - v)),
        best: derived.best ?? NaN,
        bestStep: derived.bestStep ?? 0,
        firstStepWithin1: derived.firstStepWithin1,
        lossAtT: derived.lossAtT ?? NaN,
        sops: r.sops ?? 0,
        annMacs: r.annMacs ?? 0,
        energyRatio: r.energyRatio ?? 0,
      }];
    });
    if (lacking.length > 0 && (p.runIds != null || rows.length === 0) && runs.length > 0) {
      throw new InvalidInputError('metric', `no ${metric} recorded (with its ANN value) for run ${lacking.slice(0, 10).join(', ')}${lacking.length > 10 ? ', …' : ''}`);
    }
    return { metric, steps, rows };
  }

  /** best / bestStep / first step within 0.01 of the ANN / loss at T for a non-primary metric. */
  private derive(id: number, metric: string, ann: number, T: number): Pick<RunRow, 'best' | 'bestStep' | 'firstStepWithin1' | 'lossAtT'> {
    const best = this.stmt('SELECT "step", "value" FROM "StepMetric" WHERE "conversionRunId" = ? AND "name" = ? ORDER BY "value" DESC, "step" ASC LIMIT 1').get(id, metric) as { step: number; value: number } | undefined;
    const within = this.stmt('SELECT MIN("step") AS step FROM "StepMetric" WHERE "conversionRunId" = ? AND "name" = ? AND "value" >= ?').get(id, metric, ann - 0.01) as { step: number | null };
    const last = this.stmt('SELECT "value" FROM "StepMetric" WHERE "conversionRunId" = ? AND "name" = ? AND "step" = ?').get(id, metric, T) as { value: number } | undefined;
    return { best: best?.value ?? null, bestStep: best?.step ?? null, firstStepWithin1: within.step, lossAtT: last ? ann - last.value : null };
  }
}

function mostCommon(xs: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const x of xs) if (x) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}
