// What training and conversion runs share: the one run filter (dataset, model, architecture,
// family, size, pre-training, status, alias, T, sweep), written once as a Prisma `where` and used by the
// run lists and by compare; and the check that a model's architecture fits a data set's shape.
import { z } from 'zod';
import { inspectDataset } from '../data/load.js';
import { ALIAS_PATTERN, ARCHITECTURES, CONVERSION_CONFIG_FIELDS, MODEL_FAMILIES, PRETRAINING_KINDS, taskOfSpec, valueSchema, type DatasetSpec, type ModelSpec, type Task } from '../formats/index.js';
import type { Prisma } from './db.js';
import { InvalidInputError } from './errors.js';
import { parseInput, type Loose } from './input.js';
import type { Dataset } from './records.js';
import { RUN_STATUSES } from './vocab.js';

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const runFilterSchema = z.object({
  datasetId: z.number().int().positive().nullish(),
  modelId: z.number().int().positive().nullish(),
  architecture: z.enum(ARCHITECTURES, { error: `must be one of ${ARCHITECTURES.join(', ')}` }).nullish(),
  family: z.enum(MODEL_FAMILIES, { error: `must be one of ${MODEL_FAMILIES.join(', ')}` }).nullish(),
  pretraining: z.enum(PRETRAINING_KINDS, { error: `must be one of ${PRETRAINING_KINDS.join(', ')}` }).nullish(),
  /** Parameter count range of the backbone (inclusive). */
  minParameters: count.nullish(),
  maxParameters: count.nullish(),
  status: z.enum(RUN_STATUSES, { error: `must be one of ${RUN_STATUSES.join(', ')}` }).nullish(),
  /** Runs on (conversion) / producing (training) a checkpoint that carries this alias. */
  alias: z.string().regex(ALIAS_PATTERN, { error: 'is not a valid alias' }).nullish(),
  /** Conversion runs with this T only. */
  timeSteps: valueSchema(CONVERSION_CONFIG_FIELDS.timeSteps).nullish(),
  /** Conversion runs that are points of this sweep (computed by it or reused from the registry). */
  sweepId: z.number().int().positive().nullish(),
});
export type RunFilter = Loose<z.input<typeof runFilterSchema>>;

function modelWhere(f: z.output<typeof runFilterSchema>): Prisma.ModelWhereInput | undefined {
  const where: Prisma.ModelWhereInput = {
    ...(f.architecture != null && { architecture: f.architecture }),
    ...(f.family != null && { family: f.family }),
    ...(f.pretraining != null && { pretraining: f.pretraining }),
    ...((f.minParameters != null || f.maxParameters != null) && {
      parameterCount: { ...(f.minParameters != null && { gte: f.minParameters }), ...(f.maxParameters != null && { lte: f.maxParameters }) },
    }),
    ...(f.modelId != null && { id: f.modelId }),
  };
  return Object.keys(where).length > 0 ? where : undefined;
}

/** Live conversion runs matching `filter` (the lists and compare use this, and nothing else). */
export function conversionRunWhere(filter: RunFilter): Prisma.ConversionRunWhereInput {
  const f = parseInput(runFilterSchema, filter, 'filter');
  const model = modelWhere(f);
  const checkpoint: Prisma.CheckpointWhereInput = {
    ...(model && { model }),
    ...(f.alias != null && { aliases: { some: { alias: f.alias } } }),
  };
  return {
    deletedAt: null,
    ...(f.datasetId != null && { datasetId: f.datasetId }),
    ...(f.status != null && { status: f.status }),
    ...(f.timeSteps != null && { timeSteps: f.timeSteps }),
    ...(f.sweepId != null && { sweepPoints: { some: { sweepId: f.sweepId } } }),
    ...(Object.keys(checkpoint).length > 0 && { checkpoint }),
  };
}

/** Live training runs matching `filter` (timeSteps and sweepId do not apply). */
export function trainingRunWhere(filter: RunFilter): Prisma.TrainingRunWhereInput {
  const f = parseInput(runFilterSchema, filter, 'filter');
  const model = modelWhere(f);
  return {
    deletedAt: null,
    ...(f.datasetId != null && { datasetId: f.datasetId }),
    ...(f.status != null && { status: f.status }),
    ...(model && { model }),
    ...(f.alias != null && { producedCheckpoints: { some: { aliases: { some: { alias: f.alias } } } } }),
  };
}

export interface DatasetGeometry {
  task: Task;
  imageShape: [number, number, number];
  numClasses: number;
}

/** Shape and classes of a registered data set: from its row when recorded, else inspected on disk. */
export async function datasetGeometry(ds: Dataset): Promise<DatasetGeometry> {
  if (ds.imageShape && ds.numClasses != null) return { task: ds.task, imageShape: ds.imageShape, numClasses: ds.numClasses };
  try {
    const info = await inspectDataset(datasetSpecOf(ds));
    return { task: info.task, imageShape: info.imageShape, numClasses: info.numClasses };
  } catch (err) {
    throw new InvalidInputError('datasetId', `dataset ${ds.name} cannot be read: ${(err as Error).message}`);
  }
}

/** The DatasetSpec a reader takes, from a registered data set. */
export function datasetSpecOf(ds: Dataset): DatasetSpec {
  return {
    format: ds.format,
    task: ds.task,
    ...(ds.path != null && { path: ds.path }),
    ...(ds.options != null && { options: ds.options }),
  };
}

/** Throws InvalidInputError(field) when a model built from `spec` cannot take this data set. */
export function checkFit(spec: ModelSpec, geo: DatasetGeometry, field: string): void {
  const want = spec.inputShape.join('×');
  const got = geo.imageShape.join('×');
  if (want !== got) throw new InvalidInputError(field, `the model takes ${want} images but the dataset's images are ${got}`);
  const task = taskOfSpec(spec);
  if (task !== geo.task) throw new InvalidInputError(field, `${spec.architecture === 'onnx' ? `the ONNX model is a ${task} model: it` : spec.architecture} cannot be used for ${geo.task}`);
  if (geo.task === 'classification' && spec.numClasses !== geo.numClasses) {
    throw new InvalidInputError(field, `the model has ${spec.numClasses} classes but the dataset has ${geo.numClasses}`);
  }
}
