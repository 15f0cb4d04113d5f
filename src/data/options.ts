// Reading typed options out of DatasetSpec.options (a flat string/number/boolean record).
import type { DatasetSpec } from '../formats/dataset.js';
import { DatasetSpecError } from './errors.js';
import { parseList } from './normalize.js';
import type { LoadOptions } from './types.js';

type Raw = Record<string, number | string | boolean>;

export function optNumber(o: Raw, key: string, dflt: number, min = -Infinity, max = Infinity): number {
  const v = o[key];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new DatasetSpecError(`option ${key}=${String(v)} must be a number in [${min}, ${max}]`);
  return n;
}

export function optString<T extends string>(o: Raw, key: string, allowed: readonly T[], dflt: T): T {
  const v = o[key];
  if (v === undefined) return dflt;
  if (!allowed.includes(v as T)) throw new DatasetSpecError(`option ${key}='${String(v)}' must be one of ${allowed.join(', ')}`);
  return v as T;
}

/** Merges spec.options with explicit LoadOptions (explicit wins) into one flat record. */
export function mergeOptions(spec: DatasetSpec, opts: LoadOptions = {}): Raw {
  const out: Raw = { ...(spec.options ?? {}) };
  for (const [k, v] of Object.entries(opts)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(',') : (v as number | string | boolean);
  }
  return out;
}

export function optList(o: Raw, key: string): number[] | undefined {
  return parseList(o[key]);
}
