// Dataset registry: register, list (filters + keyset pages), get, soft-delete.
import { z } from 'zod';
import { DatasetSpecError } from '../data/errors.js';
import { checkDatasetLayout } from '../data/layout.js';
import { DATASET_FIELDS, DATASET_FORMATS, TASKS, datasetOptionsSchema, imageShapeSchema, nameSchema, taskOfFormat, valueSchema, type Task } from '../formats/index.js';
import { containsText, type Prisma, type PrismaClient } from './db.js';
import type { Provider } from './provider.js';
import { ConflictError, InvalidInputError, NotFoundError } from './errors.js';
import { parseInput, type Loose } from './input.js';
import { type Page, type PageArgs, mapPage, paginate } from './pagination.js';
import { isUniqueViolation } from './prisma-errors.js';
import { datasetRecord, inIdOrder, toJson, type Dataset } from './records.js';

export type { Dataset } from './records.js';

const formatSchema = z.enum(DATASET_FORMATS, { error: `must be one of ${DATASET_FORMATS.join(', ')}` });
const taskSchema = z.enum(TASKS, { error: `must be one of ${TASKS.join(', ')}` });

export const registerDatasetSchema = z.object({
  name: nameSchema,
  format: formatSchema,
  /** Directory on the server; required unless synthetic. */
  path: z.string().min(1).max(4096).nullish(),
  /** Defaults to the task the format implies; must agree with it. */
  task: taskSchema.nullish(),
  options: datasetOptionsSchema.nullish(),
  imageShape: imageShapeSchema.nullish(),
  numClasses: valueSchema(DATASET_FIELDS.numClasses).nullish(),
  trainSamples: valueSchema(DATASET_FIELDS.samples).nullish(),
  testSamples: valueSchema(DATASET_FIELDS.samples).nullish(),
  description: z.string().max(2000).nullish(),
});
/** `options` may be any JSON: register() refuses what is not one flat level of scalars. */
export type RegisterDatasetParams = Omit<Loose<z.input<typeof registerDatasetSchema>>, 'options'> & { options?: unknown };

export interface DatasetFilter {
  task?: string | null;
  format?: string | null;
  synthetic?: boolean | null;
  nameContains?: string | null;
}

const filterSchema = z.object({ task: taskSchema.nullish(), format: formatSchema.nullish(), synthetic: z.boolean().nullish(), nameContains: z.string().max(100).nullish() });

export class DatasetService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly provider: Provider,
    /** Directories the server may read data sets from (SPIKELAB_DATA_ROOTS). */
    private readonly dataRoots: readonly string[],
  ) {}

  /** Registers a dataset. Non-synthetic formats need a directory under the data roots whose layout fits the format. */
  async register(params: RegisterDatasetParams): Promise<Dataset> {
    const p = parseInput(registerDatasetSchema, params);
    const format = p.format;
    const implied = taskOfFormat(format);
    let task: Task = implied;
    if (p.task != null) {
      if (p.task !== implied) throw new InvalidInputError('task', `format ${format} holds ${implied} data, not ${p.task}`);
      task = p.task;
    }
    const synthetic = format.startsWith('synthetic-');
    let path: string | null = null;
    if (!synthetic) {
      if (!p.path) throw new InvalidInputError('path', `a ${format} dataset needs the directory that holds it`);
      try {
        ({ path } = await checkDatasetLayout(format, task, p.path, this.dataRoots, p.options ?? undefined));
      } catch (err) {
        throw new InvalidInputError(err instanceof DatasetSpecError ? 'options' : 'path', (err as Error).message);
      }
    } else if (p.path) {
      throw new InvalidInputError('path', 'synthetic datasets are generated and take no path');
    }
    try {
      const row = await this.prisma.dataset.create({
        data: {
          name: p.name,
          liveName: p.name,
          format,
          path,
          task,
          synthetic,
          options: p.options == null ? undefined : toJson(datasetOptionsSchema, p.options),
          imageShape: p.imageShape == null ? undefined : toJson(imageShapeSchema, p.imageShape),
          numClasses: p.numClasses ?? null,
          trainSamples: p.trainSamples ?? null,
          testSamples: p.testSamples ?? null,
          description: p.description ?? null,
        },
      });
      return datasetRecord(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError('Dataset', 'name', p.name);
      throw err;
    }
  }

  /** A live (not deleted) dataset, or NotFoundError. */
  async get(id: number): Promise<Dataset> {
    const row = await this.prisma.dataset.findFirst({ where: { id, deletedAt: null } });
    if (!row) throw new NotFoundError('Dataset', id);
    return datasetRecord(row);
  }

  /** Batch lookup for DataLoaders, deleted datasets included (old runs keep their label). */
  async byIds(ids: readonly number[]): Promise<(Dataset | null)[]> {
    const rows = await this.prisma.dataset.findMany({ where: { id: { in: [...ids] } } });
    return inIdOrder(ids, rows.map(datasetRecord));
  }

  async list(filter: DatasetFilter = {}, page: PageArgs = {}): Promise<Page<Dataset>> {
    const f = parseInput(filterSchema, filter, 'filter');
    const where: Prisma.DatasetWhereInput = {
      deletedAt: null,
      ...(f.task != null && { task: f.task }),
      ...(f.format != null && { format: f.format }),
      ...(f.synthetic != null && { synthetic: f.synthetic }),
      ...(f.nameContains && { name: containsText(this.provider, f.nameContains) }),
    };
    const rows = await paginate(
      page,
      (q) => this.prisma.dataset.findMany({ where: { ...where, id: q.id }, orderBy: q.orderBy, take: q.take }),
      () => this.prisma.dataset.count({ where }),
    );
    return mapPage(rows, datasetRecord);
  }

  /** Soft delete: the row stays for the runs that used it; its name is free for a new dataset. */
  async softDelete(id: number): Promise<Dataset> {
    await this.get(id);
    return datasetRecord(await this.prisma.dataset.update({ where: { id }, data: { deletedAt: new Date(), liveName: null } }));
  }
}
