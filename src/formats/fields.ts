// Field tables: each config's fields, defaults and bounds, declared once as plain data. Everything
// else is derived from a table: the zod schemas (bounded for new input, structural for rows already
// stored), the GraphQL input defaults and descriptions, the registry's and the engine's checks, and
// the CLI's choices, ranges and help defaults. Imports nothing of ours.
import { z } from 'zod';

export interface IntField {
  readonly type: 'int';
  readonly min: number;
  readonly max: number;
  readonly default?: number;
  readonly description: string;
}

export interface NumberField {
  readonly type: 'number';
  readonly min: number;
  /** true: the value must be strictly greater than min. */
  readonly minExclusive?: boolean;
  readonly max: number;
  readonly default?: number;
  readonly description: string;
}

export interface BooleanField {
  readonly type: 'boolean';
  readonly default?: boolean;
  readonly description: string;
}

export interface ChoiceField<C extends string = string> {
  readonly type: 'choice';
  readonly choices: readonly [C, ...C[]];
  readonly default?: C;
  readonly description: string;
}

export type FieldSpec = IntField | NumberField | BooleanField | ChoiceField;
export type FieldTable = Readonly<Record<string, FieldSpec>>;

/** Range of signed 32-bit integers (GraphQL Int). */
export const INT32 = { min: -2147483648, max: 2147483647 } as const;

/** The value type of one field. */
export type FieldValue<F> = F extends { type: 'int' | 'number' }
  ? number
  : F extends { type: 'boolean' }
    ? boolean
    : F extends { type: 'choice'; choices: readonly (infer C)[] }
      ? C
      : never;

type Defaulted<T> = { [K in keyof T]: T[K] extends { default: unknown } ? K : never }[keyof T];
type Optional<T> = Exclude<keyof T, Defaulted<T>>;

/** A complete value (after defaults): fields with a default are always present. */
export type TableValue<T extends FieldTable> = { -readonly [K in Defaulted<T>]: FieldValue<T[K]> } & { -readonly [K in Optional<T>]?: FieldValue<T[K]> };
/** What a caller may give: every field optional (defaults fill the rest). */
export type TableInput<T extends FieldTable> = { -readonly [K in keyof T]?: FieldValue<T[K]> | undefined };

/** "an integer in 1..4096", "a number in (0, 1]", "one of lipool, gate", "true or false". */
export function rangeText(f: FieldSpec): string {
  switch (f.type) {
    case 'int':
      return `an integer in ${f.min}..${f.max}`;
    case 'number':
      return `a number in ${f.minExclusive ? '(' : '['}${f.min}, ${f.max}]`;
    case 'boolean':
      return 'true or false';
    case 'choice':
      return `one of ${f.choices.join(', ')}`;
  }
}

/** "T: simulated time steps. An integer in 1..4096; default 64." for GraphQL descriptions and CLI help. */
export function describeField(f: FieldSpec): string {
  const parts = [...(f.type === 'boolean' ? [] : [rangeText(f)]), ...(f.default === undefined ? [] : [`default ${String(f.default)}`])];
  if (parts.length === 0) return `${f.description}.`;
  const rest = parts.join('; ');
  return `${f.description}. ${rest.charAt(0).toUpperCase()}${rest.slice(1)}.`;
}

/** Schema of one field's value. 'bounded' checks the table's bounds; 'stored' only the type. */
export function valueSchema(f: IntField | NumberField, mode?: 'bounded' | 'stored'): z.ZodNumber;
export function valueSchema(f: BooleanField, mode?: 'bounded' | 'stored'): z.ZodBoolean;
export function valueSchema<C extends string>(f: ChoiceField<C>, mode?: 'bounded' | 'stored'): z.ZodType<C>;
export function valueSchema(f: FieldSpec, mode?: 'bounded' | 'stored'): z.ZodType;
export function valueSchema(f: FieldSpec, mode: 'bounded' | 'stored' = 'bounded'): z.ZodType {
  const error = `must be ${rangeText(f)}`;
  switch (f.type) {
    case 'int': {
      const s = z.number({ error }).int({ error });
      return mode === 'bounded' ? s.min(f.min, { error }).max(f.max, { error }) : s;
    }
    case 'number': {
      const s = z.number({ error }).finite({ error });
      if (mode === 'stored') return s;
      return (f.minExclusive ? s.gt(f.min, { error }) : s.min(f.min, { error })).max(f.max, { error });
    }
    case 'boolean':
      return z.boolean({ error });
    case 'choice':
      return z.enum(f.choices, { error });
  }
}

/**
 * The object schema of a table: unknown keys refused, absent fields take their default, fields
 * without a default stay optional. 'stored' reads rows written before a bound was tightened.
 */
export function tableSchema<T extends FieldTable>(table: T, mode: 'bounded' | 'stored' = 'bounded'): z.ZodType<TableValue<T>, TableInput<T>> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, f] of Object.entries(table)) {
    const s = valueSchema(f, mode);
    shape[name] = f.default === undefined ? s.optional() : s.default(f.default);
  }
  const schema: z.ZodType = z.strictObject(shape);
  return schema as z.ZodType<TableValue<T>, TableInput<T>>;
}

/** The defaults of a table, as one frozen object. */
export function tableDefaults<T extends FieldTable>(table: T): Readonly<TableValue<T>> {
  return Object.freeze(tableSchema(table).parse({}));
}

/** One problem found in a value: the dotted path of the field and what is wrong. */
export interface FieldIssue {
  path: string;
  message: string;
}

function shortText(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return v.length > 40 ? `${JSON.stringify(v.slice(0, 37))}...` : JSON.stringify(v);
  if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'bigint') return `a${typeof v === 'object' ? 'n object' : ` ${typeof v}`}`;
  const text = String(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Readable issues of a failed parse: "timeSteps: must be an integer in 1..4096 (got 0)". */
export function issuesOf(error: z.ZodError, input: unknown, prefix = ''): FieldIssue[] {
  return error.issues.map((iss) => {
    const keys = iss.code === 'unrecognized_keys' ? iss.keys : [];
    const path = [prefix, ...iss.path.map(String)].filter(Boolean).join('.');
    if (keys.length > 0) return { path: [path, keys[0]].filter(Boolean).join('.'), message: `unknown field${keys.length > 1 ? 's' : ''} ${keys.join(', ')}` };
    let got: unknown = input;
    for (const k of iss.path) got = got !== null && typeof got === 'object' ? (got as Record<PropertyKey, unknown>)[k] : undefined;
    const shown = got === undefined ? '' : ` (got ${shortText(got)})`;
    return { path, message: `${iss.message}${shown}` };
  });
}

/** Parses `input` with `schema`: the value, or the issues (never throws for bad input). */
export function check<T>(schema: z.ZodType<T>, input: unknown, prefix = ''): { ok: true; value: T } | { ok: false; issues: FieldIssue[] } {
  const r = schema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : { ok: false, issues: issuesOf(r.error, input, prefix) };
}
