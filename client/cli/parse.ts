// Option value parsers for commander: each throws InvalidArgumentError with a message that names
// what was expected, so a bad value exits non-zero with a clear line instead of becoming NaN.
import { InvalidArgumentError } from 'commander';

export function int(min = -Infinity, max = Infinity): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected an integer, got "${value}"`);
    if (n < min || n > max) throw new InvalidArgumentError(`expected an integer in [${min}, ${max}], got ${n}`);
    return n;
  };
}

export function float(min = -Infinity, max = Infinity): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got "${value}"`);
    if (n < min || n > max) throw new InvalidArgumentError(`expected a number in [${min}, ${max}], got ${n}`);
    return n;
  };
}

/** "1,2,4,8" → [1, 2, 4, 8] (positive integers) */
export function intList(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const nums = parts.map(Number);
  if (nums.length === 0 || nums.some((n) => !Number.isInteger(n) || n < 1)) throw new InvalidArgumentError(`expected a comma-separated list of positive integers, got "${value}"`);
  return nums;
}

/** Repeatable key=value; values that look like numbers or booleans are typed. */
export function keyValue(value: string, previous: Record<string, string | number | boolean> = {}): Record<string, string | number | boolean> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected key=value, got "${value}"`);
  const key = value.slice(0, eq);
  const raw = value.slice(eq + 1);
  const typed = raw === 'true' ? true : raw === 'false' ? false : raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  return { ...previous, [key]: typed };
}

/** Repeatable string option collected into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
