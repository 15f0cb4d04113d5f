// The backbone × time-step comparison (src/formats/compare.ts) over succeeded conversion runs: the
// runs chosen by the one run filter (runs.ts), the metric read at the requested steps, the derived
// figures of a non-primary metric computed by the one summary function (src/formats/summary.ts).
// Results are kept in one cache with one rule: a result is valid while the database's data
// version (data-version.ts) is the one it was computed at (a commit by any connection or server
// replica that may change a comparison invalidates every entry).
import { z } from 'zod';
import { summariseSeries, type CompareMatrix, type CompareRow } from '../formats/index.js';
import type { PrismaClient } from './db.js';
import { InvalidInputError } from './errors.js';
import { parseInput } from './input.js';
import { annMetricsOf } from './records.js';
import { conversionRunWhere, runFilterSchema, type RunFilter } from './runs.js';

export interface CompareParams {
  /** Explicit runs; when absent, every succeeded run matching `filter`. */
  runIds?: readonly number[] | null;
  filter?: RunFilter | null;
  /** Metric to compare (default: the runs' primary metric). */
  metric?: string | null;
  /** Steps of the matrix (default 1, 2, 4, …, T and T itself). */
  steps?: readonly number[] | null;
}

const paramsSchema = z.object({
  runIds: z.array(z.number().int().positive()).min(1, { error: 'give at least one run id' }).max(10000).nullish(),
  filter: runFilterSchema.nullish(),
  metric: z.string().min(1).max(100).nullish(),
  steps: z.array(z.number().int().min(1, { error: 'steps must be integers in 1..4096' }).max(4096, { error: 'steps must be integers in 1..4096' })).max(4096).nullish(),
});

const RUN_COLUMNS = {
  id: true, checkpointId: true, datasetId: true, timeSteps: true, primaryMetric: true, annValue: true, annMetrics: true, best: true, bestStep: true,
  firstStepWithin1: true, lossAtT: true, sops: true, annMacs: true, energyRatio: true,
} as const;
const MODEL_COLUMNS = { name: true, architecture: true, family: true, parameterCount: true, pretraining: true } as const;

/** 1, 2, 4, … up to T, and T itself. */
export function defaultSteps(T: number): number[] {
  const steps: number[] = [];
  for (let t = 1; t <= T; t *= 2) steps.push(t);
  if (steps.at(-1) !== T && T >= 1) steps.push(T);
  return steps;
}

/** Results valid while `version()` returns what it returned when they were computed. */
class VersionedCache<T> {
  private version: number | null = null;
  private readonly entries = new Map<string, T>();

  constructor(
    private readonly currentVersion: () => Promise<number>,
    private readonly maxEntries: number,
  ) {}

  async get(key: string, compute: () => Promise<T>): Promise<T> {
    const version = await this.currentVersion();
    if (version !== this.version) {
      this.entries.clear();
      this.version = version;
    }
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const value = await compute();
    // stored only if nothing was committed while computing (else it may mix old and new rows)
    if ((await this.currentVersion()) === version && this.version === version) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, value);
    }
    return value;
  }
}

export class CompareService {
  private readonly cache: VersionedCache<CompareMatrix>;

  constructor(
    private readonly prisma: PrismaClient,
    /** Changes whenever a transaction that may change a comparison commits (data-version.ts). */
    dataVersion: () => Promise<number>,
  ) {
    this.cache = new VersionedCache(dataVersion, 64);
  }

  /** The matrix; a repeated question gets the same object back until the database changes. */
  compare(params: CompareParams): Promise<CompareMatrix> {
    const p = parseInput(paramsSchema, params);
    const key = JSON.stringify([p.runIds ?? null, p.filter ?? null, p.metric ?? null, p.steps ?? null]);
    return this.cache.get(key, () => this.compute(p));
  }

  private async compute(p: z.output<typeof paramsSchema>): Promise<CompareMatrix> {
    const where = conversionRunWhere(p.filter ?? {});
    // only the columns the matrix shows (reading whole rows costs ~20× more), models and data sets by id
    const found = await this.prisma.conversionRun.findMany({
      where: { AND: [where, { status: 'SUCCEEDED' }, ...(p.runIds != null ? [{ id: { in: p.runIds } }] : [])] },
      select: RUN_COLUMNS,
    });
    const [checkpoints, datasets] = await Promise.all([
      this.prisma.checkpoint.findMany({ where: { id: { in: [...new Set(found.map((r) => r.checkpointId))] } }, select: { id: true, model: { select: MODEL_COLUMNS } } }),
      this.prisma.dataset.findMany({ where: { id: { in: [...new Set(found.map((r) => r.datasetId))] } }, select: { id: true, name: true } }),
    ]);
    const modelOf = new Map(checkpoints.map((c) => [c.id, c.model]));
    const datasetOf = new Map(datasets.map((d) => [d.id, d.name]));
    const runs = found.map((r) => ({ ...r, annMetrics: annMetricsOf(r.id, r.annMetrics), model: modelOf.get(r.checkpointId)!, datasetName: datasetOf.get(r.datasetId)! }));
    runs.sort((a, b) => (a.model.parameterCount ?? 0) - (b.model.parameterCount ?? 0) || a.model.name.localeCompare(b.model.name) || a.id - b.id);
    if (p.runIds != null && runs.length < new Set(p.runIds).size) {
      const found = new Set(runs.map((r) => r.id));
      throw new InvalidInputError('runIds', `no succeeded conversion run ${p.runIds.filter((id) => !found.has(id)).join(', ')}`);
    }
    const metric = p.metric ?? mostCommon(runs.map((r) => r.primaryMetric ?? '')) ?? 'accuracy';
    const steps = p.steps ? [...new Set(p.steps)].sort((a, b) => a - b) : defaultSteps(runs.reduce((m, r) => Math.max(m, r.timeSteps), 0));
    // the primary metric's summary is stored with the run; another metric is summarised from its whole series
    // (two queries, not one OR: an OR keeps SQLite off the (conversionRunId, name, step) key)
    const stored = runs.filter((r) => r.primaryMetric === metric).map((r) => r.id);
    const derived = runs.filter((r) => r.primaryMetric !== metric).map((r) => r.id);
    const select = { conversionRunId: true, step: true, value: true } as const;
    const points = (
      await Promise.all([
        stored.length > 0 ? this.prisma.stepMetric.findMany({ where: { name: metric, conversionRunId: { in: stored }, step: { in: steps } }, select }) : [],
        derived.length > 0 ? this.prisma.stepMetric.findMany({ where: { name: metric, conversionRunId: { in: derived } }, select }) : [],
      ])
    ).flat();
    const series = new Map(runs.map((r) => [r.id, new Float64Array(r.timeSteps).fill(NaN)]));
    for (const pt of points) {
      const s = series.get(pt.conversionRunId);
      if (s && pt.step >= 1 && pt.step <= s.length) s[pt.step - 1] = pt.value;
    }
    const lacking: number[] = [];
    const rows = runs.flatMap((r): CompareRow[] => {
      const primary = r.primaryMetric === metric;
      const ann = primary ? (r.annValue ?? NaN) : (r.annMetrics?.[metric] ?? NaN);
      const all = series.get(r.id)!;
      // a run that did not record this metric (or its ANN value) has no row
      if (!Number.isFinite(ann) || (!primary && all.every((v) => Number.isNaN(v)))) {
        lacking.push(r.id);
        return [];
      }
      const values = steps.map((t) => (t <= all.length && !Number.isNaN(all[t - 1]!) ? all[t - 1]! : null));
      const s = primary ? r : summariseSeries(ann, all);
      return [{
        conversionRunId: String(r.id),
        backbone: r.model.name,
        architecture: r.model.architecture,
        family: r.model.family,
        parameterCount: r.model.parameterCount ?? 0,
        pretraining: r.model.pretraining,
        dataset: r.datasetName,
        metric,
        timeSteps: r.timeSteps,
        annValue: ann,
        values,
        losses: values.map((v) => (v == null ? null : ann - v)),
        best: s.best ?? NaN,
        bestStep: s.bestStep ?? 0,
        firstStepWithin1: s.firstStepWithin1,
        lossAtT: s.lossAtT ?? NaN,
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
}

function mostCommon(xs: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const x of xs) if (x) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}
