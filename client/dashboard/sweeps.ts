// Sweeps on the dashboard: the newest sweeps with their progress, and the chosen one as a heat map
// (its pivot: rows = backbone, columns = the chosen config axis, cells = the SNN metric at T).
import { SweepPivotDocument, SweepsDocument } from '../generated/graphql.js';
import { drawHeatmap } from './chart.js';
import { fillTable, gql } from './gql.js';
import { syncSelect } from './views.js';

let drawnKey = '';

/** Redraws the sweep list, and the heat map when the chosen sweep, axis or its finished points change. */
export async function refreshSweeps(list: HTMLElement, sweepSel: HTMLSelectElement, axisSel: HTMLSelectElement, heatmap: HTMLElement): Promise<void> {
  const { sweeps } = await gql(SweepsDocument, { first: 50, orderBy: 'NEWEST_FIRST' });
  const nodes = sweeps.nodes;
  fillTable(list, ['sweep', 'data set', 'axes', 'points', 'done', 'from registry', 'status', 'progress'],
    nodes.map((s) => [s.id, s.dataset.name, s.sweptAxes.join(' × '), s.pointCount, s.pointsDone, s.cachedPoints, s.status, `${(s.progress * 100).toFixed(0)}%`]), 'no sweeps yet');
  syncSelect(sweepSel, nodes.map((s) => ({ value: s.id, label: `sweep ${s.id} (${s.dataset.name}: ${s.sweptAxes.join(' × ') || 'one config'})` })));
  const chosen = nodes.find((s) => s.id === sweepSel.value);
  if (!chosen) {
    heatmap.replaceChildren(Object.assign(document.createElement('p'), { className: 'muted', textContent: 'no sweeps yet (spikelab sweep …)' }));
    return;
  }
  const axes = chosen.sweptAxes.length > 0 ? chosen.sweptAxes : ['timeSteps'];
  syncSelect(axisSel, axes.map((a) => ({ value: a, label: a })));
  const key = `${chosen.id}|${axisSel.value}|${chosen.pointsDone}`;
  if (key === drawnKey) return;
  drawnKey = key;
  const { compare } = await gql(SweepPivotDocument, { sweepId: chosen.id, axis: axisSel.value || null });
  if (compare.pivot) await drawHeatmap(heatmap, compare.pivot);
}

/** Forces the next refresh to redraw (a new token, a changed choice). */
export function resetSweeps(): void {
  drawnKey = '';
}
