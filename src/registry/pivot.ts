// A sweep pivoted on one config axis (src/formats/sweep.ts SweepPivot): rows = backbone × the
// values of the other swept axes, columns = the axis' values, cells = the SNN metric of that point's
// run at one step (default: the run's own T), read from the stored per-step metrics.
import { SWEEP_AXES, axisValueText, sweptAxes, type SweepAxisName, type SweepPivot, type SweepPivotRow } from '../formats/index.js';
import type { PrismaClient } from './db.js';
import { InvalidInputError, NotFoundError } from './errors.js';
import { annMetricsOf, conversionConfigOf, sweepRecord } from './records.js';

export interface PivotParams {
  sweepId: number;
  /** Config field on the columns (default: the first swept one, else timeSteps). */
  axis?: string | null;
  /** Step of every cell (default: each run's T). */
  step?: number | null;
  /** Default: the runs' primary metric. */
  metric?: string | null;
}

export async function sweepPivot(prisma: PrismaClient, p: PivotParams): Promise<SweepPivot> {
  const row = await prisma.sweep.findUnique({ where: { id: p.sweepId } });
  if (!row) throw new NotFoundError('Sweep', p.sweepId);
  const sweep = sweepRecord(row);
  const swept = sweptAxes(sweep.axes);
  if (p.axis != null && !(SWEEP_AXES as readonly string[]).includes(p.axis)) throw new InvalidInputError('axis', `must be a conversion config field: ${SWEEP_AXES.join(', ')}`);
  const axis = (p.axis ?? swept[0] ?? 'timeSteps') as SweepAxisName;
  const others = swept.filter((a) => a !== axis);

  const points = await prisma.sweepPoint.findMany({
    where: { sweepId: sweep.id },
    orderBy: { position: 'asc' },
    include: { conversionRun: { omit: { panels: true } }, checkpoint: { select: { model: { select: { name: true } } } } },
  });
  // rows follow the sweep's checkpoint of each point (a reused run may sit on another checkpoint with the same content)
  const runs = points.map((pt) => ({ run: pt.conversionRun, checkpointId: pt.checkpointId, config: conversionConfigOf(pt.conversionRun), model: pt.checkpoint.model.name }));
  const done = runs.filter((r) => r.run.status === 'SUCCEEDED' && r.run.deletedAt === null);
  const metric = p.metric ?? mostCommon(done.map((r) => r.run.primaryMetric ?? '')) ?? 'accuracy';

  // the axis' columns: the values the sweep listed (or the one every point has)
  const columns = (sweep.axes[axis] as unknown[] | undefined)?.map(axisValueText) ?? [...new Set(runs.map((r) => axisValueText(r.config[axis])))];
  const stepOf = (T: number): number => p.step ?? T;
  const wanted = [...new Set(done.map((r) => stepOf(r.run.timeSteps)))];
  const values = done.length === 0 ? [] : await prisma.stepMetric.findMany({ where: { conversionRunId: { in: done.map((r) => r.run.id) }, name: metric, step: { in: wanted } }, select: { conversionRunId: true, step: true, value: true } });
  const valueOf = new Map(values.map((v) => [`${v.conversionRunId}:${v.step}`, v.value]));

  // a model name shared by two checkpoints of the sweep is told apart by the checkpoint id
  const names = new Map<number, string>();
  for (const r of runs) names.set(r.checkpointId, r.model);
  const shared = new Set([...names.values()].filter((n, i, all) => all.indexOf(n) !== i));
  const backboneOf = (checkpointId: number): string => (shared.has(names.get(checkpointId)!) ? `${names.get(checkpointId)!} #${checkpointId}` : names.get(checkpointId)!);

  const rows = new Map<string, SweepPivotRow>();
  for (const r of runs) {
    const fixed = others.map((a) => ({ name: a, value: axisValueText(r.config[a]) }));
    const key = JSON.stringify([r.checkpointId, fixed]);
    let pr = rows.get(key);
    if (!pr) {
      const backbone = backboneOf(r.checkpointId);
      pr = { label: [backbone, ...fixed.map((f) => `${f.name} ${f.value}`)].join(' · '), backbone, checkpointId: String(r.checkpointId), others: fixed, annValue: null, values: columns.map(() => null), runIds: columns.map(() => null) };
      rows.set(key, pr);
    }
    const col = columns.indexOf(axisValueText(r.config[axis]));
    if (col < 0) continue;
    pr.runIds[col] = String(r.run.id);
    if (r.run.status !== 'SUCCEEDED' || r.run.deletedAt !== null) continue;
    pr.values[col] = valueOf.get(`${r.run.id}:${stepOf(r.run.timeSteps)}`) ?? null;
    const ann = r.run.primaryMetric === metric ? r.run.annValue : (annMetricsOf(r.run.id, r.run.annMetrics)?.[metric] ?? null);
    if (pr.annValue === null && ann !== null && Number.isFinite(ann)) pr.annValue = ann;
  }
  return { sweepId: String(sweep.id), axis, metric, step: p.step ?? null, columns, rows: [...rows.values()] };
}

/** The most frequent non-empty string (ties: the first seen). */
export function mostCommon(xs: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const x of xs) if (x) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}
