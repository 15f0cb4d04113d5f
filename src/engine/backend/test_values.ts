/**
 * Deterministic values in [lo, hi) for the kernel tests: a linear congruential generator, so the
 * cpu reference and the backend under test see the same inputs whatever tf's random state.
 */
export function seededValues(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = lo + ((hi - lo) * s) / 2 ** 32;
  }
  return out;
}
