// The comparison matrix as a table: one row per conversion run, one column per time step. Shared
// by `spikelab compare` (aligned table, CSV) and the demo; no rendering libraries are loaded here.
import type { CompareMatrix } from '../../src/formats/compare.js';

export type MatrixCell = string | number | null;

/** Header and rows of the comparison. */
export function matrixRows(m: CompareMatrix): { headers: string[]; rows: MatrixCell[][] } {
  const headers = ['run', 'backbone', 'arch', 'family', 'params', 'dataset', 'T', 'ANN', ...m.steps.map((s) => `t=${s}`), 'loss@T', 'first≤1%', 'SOPs', 'E_SNN/E_ANN'];
  const rows = m.rows.map((r): MatrixCell[] => [
    r.conversionRunId, r.backbone, r.architecture, r.family, r.parameterCount, r.dataset, r.timeSteps, r.annValue,
    ...r.values, r.lossAtT, r.firstStepWithin1, r.sops.toExponential(2), r.energyRatio,
  ]);
  return { headers, rows };
}
