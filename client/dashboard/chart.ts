// Charts in the browser: the same Vega-Lite specs as `spikelab report` (client/report/specs),
// compiled by the vega-lite bundle and drawn by vega as SVG. Both bundles are served locally.
import type { CompareMatrix } from '../../src/formats/compare.js';
import type { SweepPivot } from '../../src/formats/sweep.js';
import { annSnnBarsSpec, stepCurveSpec, sweepHeatmapSpec } from '../report/specs.js';

interface VegaView {
  runAsync(): Promise<VegaView>;
  finalize(): void;
}
interface VegaGlobal {
  View: new (runtime: unknown, opts: { renderer: string; container: HTMLElement; hover?: boolean }) => VegaView;
  parse(spec: unknown): unknown;
}
interface VegaLiteGlobal {
  compile(spec: unknown): { spec: unknown };
}
declare global {
  interface Window {
    vega?: VegaGlobal;
    vegaLite?: VegaLiteGlobal;
  }
}

const views = new Map<HTMLElement, VegaView>();

async function draw(el: HTMLElement, spec: unknown): Promise<void> {
  const { vega, vegaLite } = window;
  if (!vega || !vegaLite) throw new Error('vega bundles did not load');
  views.get(el)?.finalize();
  el.replaceChildren();
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'svg', container: el, hover: true });
  views.set(el, view);
  await view.runAsync();
}

/** Draws metric vs step (backbones as series, ANN dashed) and ANN vs SNN bars; marks the element with the point count. */
export async function drawComparison(curveEl: HTMLElement, barsEl: HTMLElement, m: CompareMatrix): Promise<number> {
  const points = m.rows.reduce((n, r) => n + r.values.filter((v) => v !== null).length, 0);
  curveEl.dataset.points = String(points);
  if (points === 0) {
    curveEl.replaceChildren(Object.assign(document.createElement('p'), { className: 'muted', textContent: 'no finished conversion runs yet' }));
    barsEl.replaceChildren();
    return 0;
  }
  await draw(curveEl, stepCurveSpec(m, { width: 640, height: 300 }));
  await draw(barsEl, annSnnBarsSpec(m, { width: 420, height: 240 }));
  curveEl.dataset.drawn = 'true';
  return points;
}

/** The running estimate of a simulating conversion: metric vs step so far. */
export async function drawLive(el: HTMLElement, name: string, values: number[], title: string): Promise<void> {
  const points = values.map((value, i) => ({ step: i + 1, value }));
  el.dataset.points = String(points.length);
  await draw(el, {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 520,
    height: 200,
    background: 'white',
    data: { values: points },
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'time step t' },
      y: { field: 'value', type: 'quantitative', scale: { domain: [0, 1] }, title: name },
    },
  });
}

/** A sweep as a heat map (rows = backbone, columns = one config axis); marks the element with the cells drawn. */
export async function drawHeatmap(el: HTMLElement, p: SweepPivot): Promise<number> {
  const cells = p.rows.reduce((n, r) => n + r.values.filter((v) => v !== null).length, 0);
  el.dataset.cells = String(cells);
  if (cells === 0) {
    el.replaceChildren(Object.assign(document.createElement('p'), { className: 'muted', textContent: `sweep ${p.sweepId}: no point has finished yet` }));
    delete el.dataset.drawn;
    return 0;
  }
  await draw(el, sweepHeatmapSpec(p));
  el.dataset.drawn = 'true';
  return cells;
}
