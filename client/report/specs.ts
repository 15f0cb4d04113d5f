// Vega-Lite specifications of the figures researchers ask for: metric vs time step per backbone
// (with the ANN reference as a dashed rule) and ANN vs SNN bars per backbone.
import type { TopLevelSpec } from 'vega-lite';
import type { CompareMatrix } from '../../src/formats/compare.js';

const FONT = 'DejaVu Sans';

const baseConfig = {
  font: FONT,
  axis: { labelFont: FONT, titleFont: FONT, grid: true },
  legend: { labelFont: FONT, titleFont: FONT },
  title: { font: FONT, fontSize: 14 },
  view: { stroke: '#ccc' },
};

/** SNN metric at every requested step, one line per backbone, ANN level as dashed rules. */
export function stepCurveSpec(m: CompareMatrix, opts: { width?: number; height?: number; title?: string } = {}): TopLevelSpec {
  const points = m.rows.flatMap((r) =>
    m.steps.flatMap((step, i) => {
      const v = r.values[i];
      return v === null || v === undefined ? [] : [{ backbone: r.backbone, step, value: v }];
    }),
  );
  const refs = m.rows.map((r) => ({ backbone: r.backbone, value: r.annValue }));
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
  const values = m.rows.flatMap((r) => {
    const last = [...r.values].reverse().find((v) => v !== null && v !== undefined) ?? null;
    const snn = last === null ? [] : [{ backbone: r.backbone, network: `SNN (T=${r.timeSteps})`, value: last }];
    return [{ backbone: r.backbone, network: 'ANN', value: r.annValue }, ...snn];
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
