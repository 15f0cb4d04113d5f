// The CLI's choices, ranges and help defaults are the config tables' (src/formats): every field of
// a table is an option of its command, accepts exactly the table's range, offers exactly its
// choices and shows its default. In-process: the commander program, not a server.
import type { Command, Option } from 'commander';
import { buildProgram } from '../../client/cli/main.js';
import { BACKENDS, CONVERSION_BACKENDS, CONVERSION_CONFIG_FIELDS } from '../../src/formats/conversion.js';
import type { FieldSpec, FieldTable } from '../../src/formats/fields.js';
import { MODEL_SPEC_FIELDS } from '../../src/formats/model.js';
import { TRAINING_CONFIG_FIELDS } from '../../src/formats/training.js';
import { JOB_KINDS } from '../../src/registry/jobs.js';
import { RUN_STATUSES, TOKEN_ROLES } from '../../src/registry/vocab.js';

function command(path: string): Command {
  let cmd: Command = buildProgram();
  for (const name of path.split(' ')) {
    const next = cmd.commands.find((c) => c.name() === name);
    if (next === undefined) throw new Error(`no command ${path}`);
    cmd = next;
  }
  return cmd;
}

function option(cmd: Command, long: string): Option {
  const o = cmd.options.find((x) => x.long === long);
  if (o === undefined) throw new Error(`${cmd.name()} has no ${long}`);
  return o;
}

const kebab = (name: string): string => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
const parse = (o: Option, v: string): unknown => (o.parseArg as (value: string, previous: unknown) => unknown)(v, undefined);

/** Checks one option against its field: range edges, choices, help default. */
function expectMatchesField(cmd: Command, o: Option, f: FieldSpec): void {
  const help = cmd.createHelp().optionDescription(o);
  if (f.default !== undefined) expect(help.toLowerCase()).toContain(`default ${String(f.default)}`.toLowerCase());
  switch (f.type) {
    case 'int':
      expect(parse(o, String(f.min))).toBe(f.min);
      expect(parse(o, String(f.max))).toBe(f.max);
      expect(() => parse(o, String(f.min - 1))).toThrow(`must be an integer in ${f.min}..${f.max}`);
      expect(() => parse(o, String(f.max + 1))).toThrow(`must be an integer in ${f.min}..${f.max}`);
      expect(() => parse(o, '1.5')).toThrow(/must be an integer/);
      break;
    case 'number':
      expect(parse(o, String(f.max))).toBe(f.max);
      expect(() => parse(o, String(f.max * 1.001 + 0.001))).toThrow(/must be a number in/);
      if (f.minExclusive) {
        expect(() => parse(o, String(f.min))).toThrow(`must be a number in (${f.min}, ${f.max}]`);
        expect(parse(o, String(f.min + 1e-9))).toBe(f.min + 1e-9);
      } else {
        expect(parse(o, String(f.min))).toBe(f.min);
        expect(() => parse(o, String(f.min - 0.001))).toThrow(`must be a number in [${f.min}, ${f.max}]`);
      }
      break;
    case 'choice':
      expect(o.argChoices).toEqual(f.choices);
      break;
    case 'boolean':
      expect(o.required || o.optional).toBe(false);
      expect(cmd.options.some((x) => x.long === `--no-${o.long!.slice(2)}`)).toBe(true);
      break;
  }
}

function expectTable(path: string, table: FieldTable, flags: Record<string, string> = {}, skip: string[] = []): void {
  const cmd = command(path);
  const names = Object.keys(table).filter((n) => !skip.includes(n));
  expect(names.length).toBeGreaterThan(0);
  for (const name of names) expectMatchesField(cmd, option(cmd, flags[name] ?? kebab(name)), table[name]!);
}

describe('CLI options derived from the config tables', () => {
  it('convert: every conversion config field', () => {
    expectTable('convert', CONVERSION_CONFIG_FIELDS);
    expect(option(command('convert'), '--backend').argChoices).toEqual(CONVERSION_BACKENDS);
    expect(option(command('train'), '--backend').argChoices).toEqual(BACKENDS);
  });

  it('train: every training config field (learningRate as --lr)', () => {
    expectTable('train', TRAINING_CONFIG_FIELDS, { learningRate: '--lr' });
  });

  it('model create: every model spec field; --input-shape within height, width and channels', () => {
    const F = MODEL_SPEC_FIELDS;
    expectTable('model create', F, { numClasses: '--classes', widthMultiplier: '--width' }, ['height', 'width', 'channels']);
    const shape = option(command('model create'), '--input-shape');
    expect(parse(shape, `${F.height.max}x${F.width.max}x${F.channels.max}`)).toEqual([F.height.max, F.width.max, F.channels.max]);
    expect(() => parse(shape, `28x28x${F.channels.max + 1}`)).toThrow(`channels must be an integer in 1..${F.channels.max}`);
  });

  it('sweep: one list option per conversion config field, every value parsed and bounded by the table', () => {
    const cmd = command('sweep');
    for (const [name, f] of Object.entries(CONVERSION_CONFIG_FIELDS) as [string, FieldSpec][]) {
      const o = option(cmd, name === 'timeSteps' ? '--time-steps' : kebab(name));
      expect(cmd.createHelp().optionDescription(o)).toContain('comma-separated');
      switch (f.type) {
        case 'int':
          expect(parse(o, `${f.min},${f.max}`)).toEqual([f.min, f.max]);
          expect(() => parse(o, `${f.min},${f.max + 1}`)).toThrow(`each value must be an integer in ${f.min}..${f.max}, got "${f.max + 1}"`);
          expect(() => parse(o, `${f.min},1.5`)).toThrow(/must be an integer/);
          break;
        case 'number':
          expect(parse(o, `${f.max}`)).toEqual([f.max]);
          expect(() => parse(o, `${f.max},${f.max + 1}`)).toThrow(/each value must be a number in/);
          if (f.minExclusive) expect(() => parse(o, String(f.min))).toThrow(`each value must be a number in (${f.min}, ${f.max}]`);
          break;
        case 'choice':
          expect(parse(o, f.choices.join(','))).toEqual(f.choices);
          expect(() => parse(o, `${f.choices[0]},nope`)).toThrow(`each value must be one of ${f.choices.join(', ')}, got "nope"`);
          break;
        case 'boolean':
          expect(parse(o, 'true,false')).toEqual([true, false]);
          expect(() => parse(o, 'true,yes')).toThrow('each value must be true or false, got "yes"');
          break;
      }
    }
    expect(() => parse(option(cmd, '--gamma'), '1,3,1')).toThrow('1 is listed twice');
    expect(option(cmd, '--backend').argChoices).toEqual(CONVERSION_BACKENDS);
    expect(option(command('compare'), '--axis').argChoices).toEqual(Object.keys(CONVERSION_CONFIG_FIELDS));
  });

  it('compare and report: -T within the conversion table', () => {
    for (const path of ['compare', 'report']) {
      const t = option(command(path), '--time-steps');
      expect(() => parse(t, String(CONVERSION_CONFIG_FIELDS.timeSteps.max + 1))).toThrow(/must be an integer in 1\.\.4096/);
    }
  });

  it('token create, jobs list: the registry vocabularies (roles, job kinds and statuses)', () => {
    expect(option(command('token create'), '--role').argChoices).toEqual(TOKEN_ROLES);
    expect(option(command('jobs list'), '--kind').argChoices).toEqual(JOB_KINDS);
    expect(option(command('jobs list'), '--status').argChoices).toEqual(RUN_STATUSES);
  });

  it('--server, --token and --database-url come from the environment through commander', () => {
    const program = buildProgram();
    expect(option(program, '--server').envVar).toBe('SPIKELAB_URL');
    expect(option(program, '--token').envVar).toBe('SPIKELAB_TOKEN');
    for (const path of ['token create', 'token list', 'token revoke', 'serve']) expect(option(command(path), '--database-url').envVar).toBe('DATABASE_URL');
  });
});
