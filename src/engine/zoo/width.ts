import { ZooSpecError } from './errors.js';

/** Channels c scaled by the width multiplier m: max(1, round(c·m)). */
export function scaled(c: number, m: number): number {
  if (!(m > 0) || !Number.isFinite(m)) throw new ZooSpecError(`widthMultiplier must be > 0, got ${m}`);
  return Math.max(1, Math.round(c * m));
}
