// Input checks of the registry: the schemas of src/formats applied to what a caller (a resolver, a
// job, a test) hands a service, every problem reported as InvalidInputError with its field path.
import type { z } from 'zod';
import { check } from '../formats/index.js';
import { InvalidInputError } from './errors.js';

/** `value` parsed by `schema`; InvalidInputError naming every field at fault (prefixed by `prefix`). */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, prefix = ''): T {
  const r = check(schema, value, prefix);
  if (r.ok) return r.value;
  const [first, ...rest] = r.issues.map((i) => ({ field: i.path || prefix || 'input', message: i.message }));
  throw new InvalidInputError(first?.field ?? (prefix || 'input'), first?.message ?? 'invalid', rest);
}

/**
 * What a caller may hand a service: the schema's input with closed vocabularies widened to string
 * and tuples to arrays (GraphQL hands over plain strings and lists; the service checks them).
 */
export type Loose<T> = T extends string
  ? string
  : T extends readonly (infer U)[]
    ? readonly Loose<U>[]
    : T extends Date
      ? T
      : T extends object
        ? { [K in keyof T]: Loose<T[K]> }
        : T;
