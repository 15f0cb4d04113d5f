// What training and conversion runs share: the run filter (dataset, architecture, family, size,
// pre-training, status, alias) and the check that a model's architecture fits a data set's shape.
import { inspectDataset } from '../data/index.js';
import type { DatasetFormat, ModelSpec, Task } from '../formats/index.js';
import type { Dataset, Prisma } from './db.js';
import { InvalidInputError } from './errors.js';
import { ARCHITECTURES, MODEL_FAMILIES, PRETRAINING_KINDS, RUN_STATUSES, isOneOf } from './vocab.js';

export interface RunFilter {
  datasetId?: number | null;
  modelId?: number | null;
  architecture?: string | null;
  family?: string | null;
  pretraining?: string | null;
  /** Parameter count range of the backbone (inclusive). */
  minParameters?: number | null;
  maxParameters?: number | null;
  status?: string | null;
  /** Runs on (conversion) / producing (training) a checkpoint that carries this alias. */
  alias?: string | null;
  timeSteps?: number | null;
}

function checkVocab(filter: RunFilter): void {
  if (filter.architecture != null && !isOneOf(ARCHITECTURES, filter.architecture)) throw new InvalidInputError('architecture', `must be one of ${ARCHITECTURES.join(', ')}`);
  if (filter.family != null && !isOneOf(MODEL_FAMILIES, filter.family)) throw new InvalidInputError('family', `must be one of ${MODEL_FAMILIES.join(', ')}`);
  if (filter.pretraining != null && !isOneOf(PRETRAINING_KINDS, filter.pretraining)) throw new InvalidInputError('pretraining', `must be one of ${PRETRAINING_KINDS.join(', ')}`);
  if (filter.status != null && !isOneOf(RUN_STATUSES, filter.status)) throw new InvalidInputError('status', `must be one of ${RUN_STATUSES.join(', ')}`);
}

function modelWhere(filter: RunFilter): Prisma.ModelWhereInput | undefined {
  const where: Prisma.ModelWhereInput = {
    ...(filter.architecture != null && { architecture: filter.architecture }),
    ...(filter.family != null && { family: filter.family }),
    ...(filter.pretraining != null && { pretraining: filter.pretraining }),
    ...((filter.minParameters != null || filter.maxParameters != null) && {
      parameterCount: { ...(filter.minParameters != null && { gte: filter.minParameters }), ...(filter.maxParameters != null && { lte: filter.maxParameters }) },
    }),
    ...(filter.modelId != null && { id: filter.modelId }),
  };
  return Object.keys(where).length > 0 ? where : undefined;
}

export function conversionRunWhere(filter: RunFilter): Prisma.ConversionRunWhereInput {
  checkVocab(filter);
  const model = modelWhere(filter);
  const checkpoint: Prisma.CheckpointWhereInput = {
    ...(model && { model }),
    ...(filter.alias != null && { aliases: { some: { alias: filter.alias } } }),
  };
  return {
    deletedAt: null,
    ...(filter.datasetId != null && { datasetId: filter.datasetId }),
    ...(filter.status != null && { status: filter.status }),
    ...(filter.timeSteps != null && { timeSteps: filter.timeSteps }),
    ...(Object.keys(checkpoint).length > 0 && { checkpoint }),
  };
}

export function trainingRunWhere(filter: RunFilter): Prisma.TrainingRunWhereInput {
  checkVocab(filter);
  const model = modelWhere(filter);
  return {
    deletedAt: null,
    ...(filter.datasetId != null && { datasetId: filter.datasetId }),
    ...(filter.status != null && { status: filter.status }),
    ...(model && { model }),
    ...(filter.alias != null && { producedCheckpoints: { some: { aliases: { some: { alias: filter.alias } } } } }),
  };
}

export interface DatasetGeometry {
  task: Task;
  imageShape: [number, number, number];
  numClasses: number;
}

/** Shape and classes of a registered data set: from its row when recorded, else inspected on disk. */
export async function datasetGeometry(ds: Dataset): Promise<DatasetGeometry> {
  const shape = ds.imageShape as number[] | null;
  if (shape && shape.length === 3 && ds.numClasses != null) {
    return { task: ds.task as Task, imageShape: [shape[0]!, shape[1]!, shape[2]!], numClasses: ds.numClasses };
  }
  try {
    const info = await inspectDataset({ format: ds.format as DatasetFormat, task: ds.task as Task, ...(ds.path && { path: ds.path }), ...(ds.options != null && { options: ds.options as Record<string, string | number | boolean> }) });
    return { task: info.task, imageShape: info.imageShape, numClasses: info.numClasses };
  } catch (err) {
    throw new InvalidInputError('datasetId', `dataset ${ds.name} cannot be read: ${(err as Error).message}`);
  }
}

/** Throws InvalidInputError(field) when a model built from `spec` cannot take this data set. */
export function checkFit(spec: ModelSpec, geo: DatasetGeometry, field: string): void {
  const want = spec.inputShape.join('×');
  const got = geo.imageShape.join('×');
  if (want !== got) throw new InvalidInputError(field, `the model takes ${want} images but the dataset's images are ${got}`);
  const segmenter = spec.architecture === 'unet';
  if (segmenter !== (geo.task === 'segmentation')) throw new InvalidInputError(field, `${spec.architecture} cannot be used for ${geo.task}`);
  if (geo.task === 'classification' && spec.numClasses !== geo.numClasses) {
    throw new InvalidInputError(field, `the model has ${spec.numClasses} classes but the dataset has ${geo.numClasses}`);
  }
}
