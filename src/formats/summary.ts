// Derived figures of one per-step series, defined once for the engine (a run's summary) and the
// registry (compare on any recorded metric). Pure functions, no imports.

/** How close to the ANN counts as "within 1 point": 0.01 on a metric in [0, 1]. */
export const WITHIN_ONE_POINT = 0.01;
/** Slack for rounding when a value sits exactly on the 0.01 line (0.87 − 0.01 ≠ 0.86 in binary). */
const ROUNDING = 1e-12;

/**
 * The first step t (1-based) with SNN_t ≥ ANN − 0.01, or null when no step reaches it.
 * Every stored metric is higher-is-better (accuracy, top-5, soft Dice, IoU, F1, pixel accuracy),
 * so a step that overshoots the ANN is within 1 point too: the question is when the SNN has
 * caught up, not when it happens to sit close to the ANN. NaN steps (not recorded) never count.
 */
export function firstStepWithin(ann: number, series: ArrayLike<number>): number | null {
  if (!Number.isFinite(ann)) return null;
  const floor = ann - WITHIN_ONE_POINT - ROUNDING;
  for (let i = 0; i < series.length; i++) {
    if ((series[i] as number) >= floor) return i + 1;
  }
  return null;
}

export interface SeriesSummary {
  /** Highest value (NaN when nothing was recorded) and the first step that reached it (0 then). */
  best: number;
  bestStep: number;
  firstStepWithin1: number | null;
  /** ANN − SNN at the last step T. */
  lossAtT: number;
}

/** best, bestStep, first step within 1 point and the loss at T of a series indexed by step − 1. */
export function summariseSeries(ann: number, series: ArrayLike<number>): SeriesSummary {
  let best = NaN;
  let bestStep = 0;
  for (let i = 0; i < series.length; i++) {
    const v = series[i] as number;
    if (!Number.isNaN(v) && (Number.isNaN(best) || v > best)) {
      best = v;
      bestStep = i + 1;
    }
  }
  const last = series.length > 0 ? (series[series.length - 1] as number) : NaN;
  return { best, bestStep, firstStepWithin1: firstStepWithin(ann, series), lossAtT: ann - last };
}
