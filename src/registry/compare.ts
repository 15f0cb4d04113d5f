// The backbone × time-step comparison (src/formats/compare.ts) over succeeded conversion runs: the
// runs chosen by the one run filter (runs.ts), the metric read at the requested steps, its derived
// figures stored per run and metric (MetricSummary, computed at completion by the one summary
// function, src/formats/summary.ts).
// Results are kept in one cache with one rule: a result is valid while the database's data
// version (data-version.ts) is the one it was computed at (a commit by any connection or server
// replica that may change a comparison invalidates every entry).
// With a sweep, the matrix covers its points and carries the sweep pivoted on one axis (pivot.ts).
import { z } from 'zod';
import { CONVERSION_CONFIG_FIELDS, summariseSeries, valueSchema, type CompareMatrix, type CompareRow } from '../formats/index.js';
import type { PrismaClient } from './db.js';
import { InvalidInputError } from './errors.js';
import { parseInput } from './input.js';
import { mostCommon, sweepPivot } from './pivot.js';
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
  /** The points of this sweep, and the matrix's `pivot` on `axis` at `step`. */
  sweepId?: number | null;
  axis?: string | null;
  step?: number | null;
}

const paramsSchema = z.object({
  runIds: z.array(z.number().int().positive()).min(1, { error: 'give at least one run id' }).max(10000).nullish(),
  filter: runFilterSchema.nullish(),
  metric: z.string().min(1).max(100).nullish(),
  steps: z.array(z.number().int().min(1, { error: 'steps must be integers in 1..4096' }).max(4096, { error: 'steps must be integers in 1..4096' })).max(4096).nullish(),
  sweepId: z.number().int().positive().nullish(),
  axis: z.string().min(1).max(100).nullish(),
  step: valueSchema(CONVERSION_CONFIG_FIELDS.timeSteps).nullish(),
});

const RUN_COLUMNS = {
  id: true, checkpointId: true, datasetId: true, timeSteps: true, primaryMetric: true, annValue: true, best: true, bestStep: true, firstStepWithin1: true, lossAtT: true,
  sops: true, annMacs: true, energyRatio: true,
} as const;
const SUMMARY_COLUMNS = { conversionRunId: true, annValue: true, best: true, bestStep: true, firstStepWithin1: true, lossAtT: true } as const;
const POINT_COLUMNS = { conversionRunId: true, step: true, value: true } as const;

/** What a row shows of a metric: its ANN value and the summary of its series. */
interface Summary {
  annValue: number | null;
  best: number | null;
  bestStep: number | null;
  firstStepWithin1: number | null;
  lossAtT: number | null;
}
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
    if (p.sweepId == null && (p.axis != null || p.step != null)) throw new InvalidInputError(p.axis != null ? 'axis' : 'step', 'pivots a sweep: give sweepId too');
    const key = JSON.stringify([p.runIds ?? null, p.filter ?? null, p.metric ?? null, p.steps ?? null, p.sweepId ?? null, p.axis ?? null, p.step ?? null]);
    return this.cache.get(key, async () => {
      if (p.sweepId == null) return this.compute(p);
      const { sweepId } = p;
      const pivot = await sweepPivot(this.prisma, { sweepId, axis: p.axis ?? null, step: p.step ?? null, metric: p.metric ?? null });
      const matrix = await this.compute({ ...p, filter: { ...p.filter, sweepId }, metric: p.metric ?? pivot.metric });
      return { ...matrix, pivot };
    });
  }

  /**
   * Four indexed reads whatever the metric: the runs (with their primary metric's summary), then
   * together their models and data sets, the metric's stored summaries (MetricSummary, for runs
   * whose primary metric it is not) and its values at the asked steps. Only a run without either (one
   * that succeeded before other metrics' summaries were stored, or that did not record the metric)
   * costs its whole series, summarised here by the same function.
   */
  private async compute(p: z.output<typeof paramsSchema>): Promise<CompareMatrix> {
    const where = conversionRunWhere(p.filter ?? {});
    // only the columns the matrix shows (reading whole rows costs ~20× more), models and data sets by id
    const found = await this.prisma.conversionRun.findMany({
      where: { AND: [where, { status: 'SUCCEEDED' }, ...(p.runIds != null ? [{ id: { in: p.runIds } }] : [])] },
      select: RUN_COLUMNS,
    });
    if (p.runIds != null && found.length < new Set(p.runIds).size) {
      const present = new Set(found.map((r) => r.id));
      throw new InvalidInputError('runIds', `no succeeded conversion run ${p.runIds.filter((id) => !present.has(id)).join(', ')}`);
    }
    const metric = p.metric ?? mostCommon(found.map((r) => r.primaryMetric ?? '')) ?? 'accuracy';
    const steps = p.steps ? [...new Set(p.steps)].sort((a, b) => a - b) : defaultSteps(found.reduce((m, r) => Math.max(m, r.timeSteps), 0));
    const ids = found.map((r) => r.id);
    const [checkpoints, datasets, stored, points] = await Promise.all([
      this.prisma.checkpoint.findMany({ where: { id: { in: [...new Set(found.map((r) => r.checkpointId))] } }, select: { id: true, model: { select: MODEL_COLUMNS } } }),
      this.prisma.dataset.findMany({ where: { id: { in: [...new Set(found.map((r) => r.datasetId))] } }, select: { id: true, name: true } }),
      this.prisma.metricSummary.findMany({ where: { name: metric, conversionRunId: { in: found.filter((r) => r.primaryMetric !== metric).map((r) => r.id) } }, select: SUMMARY_COLUMNS }),
      this.prisma.stepMetric.findMany({ where: { name: metric, conversionRunId: { in: ids }, step: { in: steps } }, select: POINT_COLUMNS }),
    ]);
    const summaries = new Map<number, Summary>(stored.map((s) => [s.conversionRunId, s]));
    for (const r of found) if (r.primaryMetric === metric) summaries.set(r.id, r);
    const missing = ids.filter((id) => !summaries.has(id));
    if (missing.length > 0) for (const [id, s] of await this.summariseSeries(missing, metric)) summaries.set(id, s);
    const modelOf = new Map(checkpoints.map((c) => [c.id, c.model]));
    const datasetOf = new Map(datasets.map((d) => [d.id, d.name]));
    const at = new Map<number, Map<number, number>>();
    for (const pt of points) {
      let m = at.get(pt.conversionRunId);
      if (!m) at.set(pt.conversionRunId, (m = new Map<number, number>()));
      m.set(pt.step, pt.value);
    }
    const runs = found.map((r) => ({ ...r, model: modelOf.get(r.checkpointId)!, datasetName: datasetOf.get(r.datasetId)! }));
    runs.sort((a, b) => (a.model.parameterCount ?? 0) - (b.model.parameterCount ?? 0) || a.model.name.localeCompare(b.model.name) || a.id - b.id);
    const lacking: number[] = [];
    const rows = runs.flatMap((r): CompareRow[] => {
      const s = summaries.get(r.id);
      // a run that did not record this metric (or its ANN value) has no row
      if (s?.annValue == null || s.best == null) {
        lacking.push(r.id);
        return [];
      }
      const ann = s.annValue;
      const mine = at.get(r.id);
      const values = steps.map((t) => (t <= r.timeSteps ? (mine?.get(t) ?? null) : null));
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
        best: s.best,
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

  /** Summaries of `metric`, not the runs' primary one, for runs that have none stored: from each whole series, by the one summary function. */
  private async summariseSeries(runIds: number[], metric: string): Promise<Map<number, Summary>> {
    const [runs, points] = await Promise.all([
      this.prisma.conversionRun.findMany({ where: { id: { in: runIds } }, select: { id: true, timeSteps: true, annMetrics: true } }),
      this.prisma.stepMetric.findMany({ where: { name: metric, conversionRunId: { in: runIds } }, select: POINT_COLUMNS }),
    ]);
    const series = new Map(runs.map((r) => [r.id, new Float64Array(r.timeSteps).fill(NaN)]));
    for (const pt of points) {
      const s = series.get(pt.conversionRunId);
      if (s && pt.step >= 1 && pt.step <= s.length) s[pt.step - 1] = pt.value;
    }
    const out = new Map<number, Summary>();
    for (const r of runs) {
      const ann = annMetricsOf(r.id, r.annMetrics)?.[metric] ?? null;
      const all = series.get(r.id)!;
      if (ann == null || !Number.isFinite(ann) || all.every((v) => Number.isNaN(v))) continue;
      const m = summariseSeries(ann, all);
      out.set(r.id, { annValue: ann, best: m.best, bestStep: m.bestStep, firstStepWithin1: m.firstStepWithin1, lossAtT: m.lossAtT });
    }
    return out;
  }
}
