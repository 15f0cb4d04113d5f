// Vega-Lite specifications of the figures researchers ask for: metric vs time step per backbone
// (with the ANN reference as a dashed rule), ANN vs SNN bars per backbone, and a sweep as a heat map.
import type { TopLevelSpec } from 'vega-lite';
import type { CompareMatrix } from '../../src/formats/compare.js';
import type { SweepPivot } from '../../src/formats/sweep.js';

const FONT = 'DejaVu Sans';

const baseConfig = {
  font: FONT,
  axis: { labelFont: FONT, titleFont: FONT, grid: true },
  legend: { labelFont: FONT, titleFont: FONT },
  title: { font: FONT, fontSize: 14 },
  view: { stroke: '#ccc' },
};

/** The series name of each row: its backbone, with the run id when several runs share a backbone (a sweep). */
function seriesNames(m: CompareMatrix): string[] {
  const seen = new Map<string, number>();
  for (const r of m.rows) seen.set(r.backbone, (seen.get(r.backbone) ?? 0) + 1);
  return m.rows.map((r) => ((seen.get(r.backbone) ?? 0) > 1 ? `${r.backbone} (run ${r.conversionRunId})` : r.backbone));
}

/** SNN metric at every requested step, one line per backbone, ANN level as dashed rules. */
export function stepCurveSpec(m: CompareMatrix, opts: { width?: number; height?: number; title?: string } = {}): TopLevelSpec {
  const names = seriesNames(m);
  const points = m.rows.flatMap((r, ri) =>
    m.steps.flatMap((step, i) => {
      const v = r.values[i];
      return v === null || v === undefined ? [] : [{ backbone: names[ri]!, step, value: v }];
    }),
  );
  const refs = m.rows.map((r, ri) => ({ backbone: names[ri]!, value: r.annValue }));
  const xMax = Math.max(2, ...m.steps);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title ?? `SNN ${m.metric} vs time step (dashed: ANN)`,
    width: opts.width ?? 560,
    height: opts.height ?? 320,
    background: 'white',
    config: baseConfig,
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', point: true, strokeWidth: 2 },
        encoding: {
          x: { field: 'step', type: 'quantitative', scale: { type: 'log', base: 2, domain: [1, xMax] }, title: 'time step t' },
          y: { field: 'value', type: 'quantitative', scale: { domain: [0, 1] }, title: m.metric },
          color: { field: 'backbone', type: 'nominal', title: 'backbone' },
        },
      },
      {
        data: { values: refs },
        mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: {
          y: { field: 'value', type: 'quantitative' },
          color: { field: 'backbone', type: 'nominal' },
        },
      },
    ],
  };
}

/** Grouped bars: ANN and SNN (at T) per backbone, as the original study drew them. */
export function annSnnBarsSpec(m: CompareMatrix, opts: { width?: number; height?: number; title?: string } = {}): TopLevelSpec {
  const names = seriesNames(m);
  const values = m.rows.flatMap((r, ri) => {
    const last = [...r.values].reverse().find((v) => v !== null && v !== undefined) ?? null;
    const snn = last === null ? [] : [{ backbone: names[ri]!, network: `SNN (T=${r.timeSteps})`, value: last }];
    return [{ backbone: names[ri]!, network: 'ANN', value: r.annValue }, ...snn];
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title ?? `ANN vs SNN ${m.metric}`,
    width: opts.width ?? 420,
    height: opts.height ?? 300,
    background: 'white',
    config: baseConfig,
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'backbone', type: 'nominal', title: null, axis: { labelAngle: 0 } },
      xOffset: { field: 'network', type: 'nominal' },
      y: { field: 'value', type: 'quantitative', scale: { domain: [0, 1] }, title: m.metric },
      color: { field: 'network', type: 'nominal', title: null, scale: { range: ['#4c78a8', '#f58518', '#54a24b'] } },
      tooltip: [{ field: 'backbone' }, { field: 'network' }, { field: 'value', format: '.4f' }],
    },
  };
}

/** A sweep's pivot as a heat map: rows = backbone (× other swept axes), columns = the axis' values, colour and text = the SNN metric; the ANN on each row's label. */
export function sweepHeatmapSpec(p: SweepPivot, opts: { width?: number; height?: number; title?: string } = {}): TopLevelSpec {
  const rowLabel = (r: SweepPivot['rows'][number]): string => (r.annValue === null ? r.label : `${r.label} (ANN ${r.annValue.toFixed(3)})`);
  const cells = p.rows.flatMap((r) => r.values.flatMap((v, i) => (v === null ? [] : [{ row: rowLabel(r), column: p.columns[i]!, value: v, run: r.runIds[i] }])));
  const x = { field: 'column', type: 'ordinal' as const, sort: p.columns, title: p.axis };
  const y = { field: 'row', type: 'ordinal' as const, sort: p.rows.map(rowLabel), title: null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title ?? `sweep ${p.sweepId}: SNN ${p.metric} at ${p.step === null ? 'T' : `t = ${p.step}`} by ${p.axis}`,
    width: opts.width ?? Math.max(160, 70 * p.columns.length),
    height: opts.height ?? Math.max(60, 28 * p.rows.length),
    background: 'white',
    config: baseConfig,
    data: { values: cells },
    layer: [
      {
        mark: { type: 'rect' },
        encoding: {
          x, y,
          color: { field: 'value', type: 'quantitative', scale: { scheme: 'viridis', domain: [0, 1] }, title: p.metric },
          tooltip: [{ field: 'row', title: 'row' }, { field: 'column', title: p.axis }, { field: 'value', format: '.4f', title: p.metric }, { field: 'run', title: 'run' }],
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          x, y,
          text: { field: 'value', type: 'quantitative', format: '.3f' },
          color: { condition: { test: 'datum.value < 0.6', value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}
