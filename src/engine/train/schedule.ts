import type { TrainingConfig } from '../../formats/training.js';

/**
 * Learning rate of iteration `it` (0-based) of `total`: 'constant' → η₀;
 * 'cosine' → η₀·½(1 + cos(π·it/total)), annealing from η₀ to 0 over the run.
 */
export function learningRateAt(cfg: Pick<TrainingConfig, 'learningRate' | 'schedule'>, it: number, total: number): number {
  if (cfg.schedule === 'constant' || total <= 0) return cfg.learningRate;
  return 0.5 * cfg.learningRate * (1 + Math.cos((Math.PI * Math.min(it, total)) / total));
}
