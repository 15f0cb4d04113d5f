// The registry's records: database rows whose JSON (and closed-vocabulary) columns are parsed once, here, with the same
// schemas the inputs use (src/formats). A row that does not parse fails loudly with its table, id
// and column (CorruptRowError), never as an unchecked cast deep inside a caller. Writes go through
// toJson, which checks the value against the column's schema before it is stored.
import { z } from 'zod';
import {
  ARCHITECTURES,
  DATASET_FORMATS,
  MODEL_FAMILIES,
  PRETRAINING_KINDS,
  TASKS,
  checkpointManifestSchema,
  type EarlyExitRecord,
  datasetOptionsSchema,
  imageShapeSchema,
  issuesOf,
  segmentationPanelSchema,
  storedConversionConfigSchema,
  storedModelSpecSchema,
  storedTrainingConfigSchema,
  SWEEP_AXES,
  storedSweepAxesSchema,
  type ConversionConfig,
  type SweepAxes,
} from '../formats/index.js';
import type * as db from './db.js';
import type { Prisma } from './db.js';
import { RegistryError } from './errors.js';

/** A stored row whose JSON column does not hold what its schema says (edited by hand, or a bug). */
export class CorruptRowError extends RegistryError {
  constructor(
    readonly table: string,
    readonly id: number,
    readonly column: string,
    detail: string,
  ) {
    super(`${table} ${id}: the stored ${column} is malformed (${detail})`);
  }
}

function column<T>(schema: z.ZodType<T>, table: string, id: number, name: string, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const first = issuesOf(r.error, value)[0];
  throw new CorruptRowError(table, id, name, first ? `${first.path || name}: ${first.message}` : 'unreadable');
}

/** A JSON column's value, checked against its schema (a bad value is a bug of the caller: it throws). */
export function toJson<T>(schema: z.ZodType<T>, value: T): Prisma.InputJsonValue {
  const checked: unknown = schema.parse(value);
  return checked as Prisma.InputJsonValue;
}

export const jobPayloadSchema = z.strictObject({ trainingRunId: z.number().int().optional(), conversionRunId: z.number().int().optional(), sweepId: z.number().int().optional() });
export const annMetricsSchema = z.record(z.string(), z.number());
export const warningsSchema = z.array(z.string());
export const panelsSchema = z.array(segmentationPanelSchema);
/** Calibrated λ per activation site: one value, or one per channel. */
export const lambdasSchema = z.record(z.string(), z.array(z.number()).min(1));
/** The analog head's ONNX op types of a hybrid run. */
export const analogOpsSchema = z.array(z.string());
export const earlyExitSchema = z.object({
  patience: z.number().int().nullable(),
  margin: z.number().nullable(),
  accuracy: z.number(),
  meanSteps: z.number(),
  stepsHistogram: z.array(z.number().int()),
  exited: z.number().int(),
  sops: z.number(),
  fixedSops: z.number(),
  energyRatio: z.number(),
});

export type Model = Omit<db.Model, 'spec' | 'architecture' | 'family' | 'pretraining'> & {
  spec: z.output<typeof storedModelSpecSchema>;
  architecture: (typeof ARCHITECTURES)[number];
  family: (typeof MODEL_FAMILIES)[number];
  pretraining: (typeof PRETRAINING_KINDS)[number];
};
export type Checkpoint = Omit<db.Checkpoint, 'manifest'> & { manifest: z.output<typeof checkpointManifestSchema> };
export type TrainingRun = Omit<db.TrainingRun, 'config'> & { config: z.output<typeof storedTrainingConfigSchema> };
export type Dataset = Omit<db.Dataset, 'options' | 'imageShape' | 'format' | 'task'> & {
  format: (typeof DATASET_FORMATS)[number];
  task: (typeof TASKS)[number];
  options: z.output<typeof datasetOptionsSchema> | null;
  imageShape: z.output<typeof imageShapeSchema> | null;
};
export type Job = Omit<db.Job, 'payload'> & { payload: z.output<typeof jobPayloadSchema> };
/** A conversion run without its (large) segmentation panels and λ: ConversionRunService.panels / exportInputs read them. */
export type ConversionRun = Omit<db.ConversionRun, 'annMetrics' | 'warnings' | 'panels' | 'lambdas' | 'earlyExit' | 'analogOps'> & {
  annMetrics: Record<string, number> | null;
  warnings: string[];
  earlyExit: EarlyExitRecord | null;
  /** Hybrid runs: the analog head's op types; [] otherwise. */
  analogOps: string[];
};
export type Sweep = Omit<db.Sweep, 'axes'> & { axes: SweepAxes };
export type { LayerStat, TrainingMetric, ApiToken, SweepJob, SweepPoint } from './db.js';

const architecture = z.enum(ARCHITECTURES);
const family = z.enum(MODEL_FAMILIES);
const pretraining = z.enum(PRETRAINING_KINDS);
const datasetFormat = z.enum(DATASET_FORMATS);
const task = z.enum(TASKS);

export function modelRecord(row: db.Model): Model {
  return {
    ...row,
    spec: column(storedModelSpecSchema, 'Model', row.id, 'spec', row.spec),
    architecture: column(architecture, 'Model', row.id, 'architecture', row.architecture),
    family: column(family, 'Model', row.id, 'family', row.family),
    pretraining: column(pretraining, 'Model', row.id, 'pretraining', row.pretraining),
  };
}

export function checkpointRecord(row: db.Checkpoint): Checkpoint {
  return { ...row, manifest: column(checkpointManifestSchema, 'Checkpoint', row.id, 'manifest', row.manifest) };
}

export function trainingRunRecord(row: db.TrainingRun): TrainingRun {
  return { ...row, config: column(storedTrainingConfigSchema, 'TrainingRun', row.id, 'config', row.config) };
}

export function datasetRecord(row: db.Dataset): Dataset {
  return {
    ...row,
    format: column(datasetFormat, 'Dataset', row.id, 'format', row.format),
    task: column(task, 'Dataset', row.id, 'task', row.task),
    options: row.options == null ? null : column(datasetOptionsSchema, 'Dataset', row.id, 'options', row.options),
    imageShape: row.imageShape == null ? null : column(imageShapeSchema, 'Dataset', row.id, 'imageShape', row.imageShape),
  };
}

export function jobRecord(row: db.Job): Job {
  return { ...row, payload: column(jobPayloadSchema, 'Job', row.id, 'payload', row.payload) };
}

/** The columns of a conversion run read everywhere: every one but panels and λ. */
export const CONVERSION_RUN_OMIT = { panels: true, lambdas: true } as const;

export function conversionRunRecord(row: Omit<db.ConversionRun, 'panels' | 'lambdas'>): ConversionRun {
  return {
    ...row,
    annMetrics: annMetricsOf(row.id, row.annMetrics),
    earlyExit: row.earlyExit == null ? null : column(earlyExitSchema, 'ConversionRun', row.id, 'earlyExit', row.earlyExit),
    warnings: row.warnings == null ? [] : column(warningsSchema, 'ConversionRun', row.id, 'warnings', row.warnings),
    analogOps: row.analogOps == null ? [] : column(analogOpsSchema, 'ConversionRun', row.id, 'analogOps', row.analogOps),
  };
}

/** The config a run was (or will be) computed with, from its columns: one per field of the conversion table. */
export function conversionConfigOf(run: Pick<ConversionRun, 'id'>): ConversionConfig {
  const row: Record<string, unknown> = { ...run };
  // a field without a default (an early-exit rule) is a NULL column when off, and absent from the config
  return column(storedConversionConfigSchema, 'ConversionRun', run.id, 'config', Object.fromEntries(SWEEP_AXES.filter((k) => row[k] != null).map((k) => [k, row[k]])));
}

export function sweepRecord(row: db.Sweep): Sweep {
  return { ...row, axes: column(storedSweepAxesSchema, 'Sweep', row.id, 'axes', row.axes) };
}

/** A run's ANN metrics column (null when the run has none yet). */
export function annMetricsOf(id: number, value: unknown): Record<string, number> | null {
  return value == null ? null : column(annMetricsSchema, 'ConversionRun', id, 'annMetrics', value);
}

export function panelsOf(id: number, value: unknown): z.output<typeof panelsSchema> | null {
  return value == null ? null : column(panelsSchema, 'ConversionRun', id, 'panels', value);
}

export function lambdasOf(id: number, value: unknown): Record<string, number[]> | null {
  return value == null ? null : column(lambdasSchema, 'ConversionRun', id, 'lambdas', value);
}

/** Rows fetched by id, back in the order of `ids` (null where missing), for DataLoaders. */
export function inIdOrder<T extends { id: number }>(ids: readonly number[], rows: readonly T[]): (T | null)[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id) ?? null);
}
