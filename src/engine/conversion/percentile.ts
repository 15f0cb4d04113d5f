/**
 * The p-quantile (p in [0, 1]) of `a` with linear interpolation between the order statistics
 * around rank r = p·(n − 1) (numpy's default "linear" method):
 *   q = a_(⌊r⌋) + (r − ⌊r⌋)·(a_(⌊r⌋+1) − a_(⌊r⌋)).
 * Reorders `a` in place (quickselect, O(n) expected). Returns NaN for an empty array.
 */
export function quantileInPlace(a: Float32Array, p: number): number {
  const n = a.length;
  if (n === 0) return NaN;
  const r = Math.min(Math.max(p, 0), 1) * (n - 1);
  const k = Math.floor(r);
  const lo = select(a, k);
  if (k + 1 >= n || r === k) return lo;
  // After select, everything right of k is ≥ a[k]: the next order statistic is their minimum.
  let hi = Infinity;
  for (let i = k + 1; i < n; i++) {
    const v = a[i] as number;
    if (v < hi) hi = v;
  }
  return lo + (r - k) * (hi - lo);
}

/** Hoare-partition quickselect: puts the k-th smallest at a[k], smaller left, larger right. */
function select(a: Float32Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  while (right > left) {
    // Median of three as pivot keeps sorted / constant inputs (all zeros: dead ReLUs) linear.
    const mid = (left + right) >> 1;
    const x = a[left] as number;
    const y = a[mid] as number;
    const z = a[right] as number;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = left;
    let j = right;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i] = a[j] as number;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return a[k] as number;
  }
  return a[k] as number;
}
