// Command-line options derived from the config tables in src/formats: each field's flag, parser
// (the table's bounds), choices and help (its description and default) come from the table, so the
// CLI can neither allow what the server refuses nor show a default the server does not apply.
// Absent options are not sent: the server fills in the same table's defaults.
import { type Command, InvalidArgumentError, Option } from 'commander';
import { describeField, rangeText, valueSchema, type FieldSpec, type FieldTable, type IntField, type TableInput } from '../../src/formats/fields.js';

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Parses a command-line value of a number field with the table's own schema; the error names its range. */
export function fieldParser(f: FieldSpec & { type: 'int' | 'number' }): (value: string) => number {
  const schema = valueSchema(f);
  return (value) => {
    const parsed = schema.safeParse(value.trim() === '' ? Number.NaN : Number(value));
    if (!parsed.success) throw new InvalidArgumentError(`must be ${rangeText(f)}, got "${value}"`);
    return parsed.data;
  };
}

/** The option of one field: `--kebab-name <n>` unless `flags` says otherwise. */
export function fieldOption(name: string, f: FieldSpec, flags?: string): Option {
  switch (f.type) {
    case 'boolean':
      return new Option(flags ?? `--${kebab(name)}`, describeField(f));
    case 'choice':
      // commander lists the choices itself
      return new Option(flags ?? `--${kebab(name)} <choice>`, `${f.description}.${f.default === undefined ? '' : ` Default ${f.default}.`}`).choices(f.choices);
    case 'int':
    case 'number':
      return new Option(flags ?? `--${kebab(name)} <${f.type === 'int' ? 'n' : 'x'}>`, describeField(f)).argParser(fieldParser(f));
  }
}

/** One listed value of any field, parsed (number, true/false, choice) and checked by the table's own schema. */
function listItem(f: FieldSpec, item: string): unknown {
  const raw = item.trim();
  const value = f.type === 'int' || f.type === 'number' ? (raw === '' ? Number.NaN : Number(raw)) : f.type === 'boolean' ? (raw === 'true' ? true : raw === 'false' ? false : raw) : raw;
  const parsed = valueSchema(f).safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`each value must be ${rangeText(f)}, got "${raw}"`);
  return parsed.data;
}

/** Parses "1,3,5" into the field's values, each within the table's bounds; a value listed twice is refused. */
export function listParser(f: FieldSpec): (value: string) => unknown[] {
  return (value) => {
    const values = value.split(',').map((item) => listItem(f, item));
    const seen = new Set<unknown>();
    for (const v of values) {
      if (seen.has(v)) throw new InvalidArgumentError(`${String(v)} is listed twice`);
      seen.add(v);
    }
    return values;
  };
}

/** Parses "28x28x1" (or "28,28,1") into [height, width, channels], each within its field's bounds. */
export function shapeParser(fields: readonly [IntField, IntField, IntField]): (value: string) => number[] {
  return (value) => {
    const parts = value.split(/[x,×]/);
    if (parts.length !== 3) throw new InvalidArgumentError(`expected HxWxC, e.g. 28x28x1, got "${value}"`);
    return parts.map((p, i) => {
      try {
        return fieldParser(fields[i]!)(p);
      } catch (err) {
        throw new InvalidArgumentError(`${['height', 'width', 'channels'][i]} ${(err as Error).message}`);
      }
    });
  };
}

export interface TableOptions<T extends FieldTable> {
  /** Flags other than `--kebab-name <n>`, e.g. { timeSteps: '-T, --time-steps <T>' }. */
  flags?: { readonly [K in keyof T]?: string };
  /** Fields this command sets another way (no option). */
  skip?: readonly (keyof T)[];
  /** Fields the command cannot do without (the table has no default for them). */
  required?: readonly (keyof T)[];
}

/**
 * Adds one option per field of `table` to `cmd` (booleans also get their `--no-…` switch).
 * Returns a function that picks the fields given on the command line out of the parsed options.
 */
export function addTableOptions<T extends FieldTable>(cmd: Command, table: T, o: TableOptions<T> = {}): (opts: object) => TableInput<T> {
  const attributes: [string, string][] = [];
  for (const [name, f] of Object.entries(table)) {
    if (o.skip?.includes(name)) continue;
    const option = fieldOption(name, f, o.flags?.[name]);
    if (o.required?.includes(name)) option.makeOptionMandatory();
    cmd.addOption(option);
    if (f.type === 'boolean') cmd.addOption(new Option(`--no-${option.long!.slice(2)}`, `switch ${option.long} off`));
    attributes.push([name, option.attributeName()]);
  }
  return (opts) => {
    const given = opts as Record<string, unknown>;
    return Object.fromEntries(attributes.filter(([, a]) => given[a] !== undefined).map(([name, a]) => [name, given[a]])) as TableInput<T>;
  };
}

/**
 * Adds one list option per field of `table` (`--gamma 1,3,5`, `--channel-wise true,false`), each
 * value parsed and bounded by the table's own schema. Returns a function that picks the lists
 * given on the command line out of the parsed options.
 */
export function addTableListOptions<T extends FieldTable>(cmd: Command, table: T, o: Pick<TableOptions<T>, 'flags' | 'skip'> = {}): (opts: object) => { [K in keyof T]?: NonNullable<TableInput<T>[K]>[] } {
  const attributes: [string, string][] = [];
  for (const [name, f] of Object.entries(table)) {
    if (o.skip?.includes(name)) continue;
    const range = f.type === 'boolean' ? 'true, false' : rangeText(f);
    const option = new Option(o.flags?.[name] ?? `--${kebab(name)} <list>`, `${f.description}: comma-separated values, each ${range}${f.default === undefined ? '' : ` (default ${String(f.default)})`}`).argParser(listParser(f));
    cmd.addOption(option);
    attributes.push([name, option.attributeName()]);
  }
  return (opts) => {
    const given = opts as Record<string, unknown>;
    return Object.fromEntries(attributes.filter(([, a]) => given[a] !== undefined).map(([name, a]) => [name, given[a]])) as { [K in keyof T]?: NonNullable<TableInput<T>[K]>[] };
  };
}
