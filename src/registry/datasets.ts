// Dataset registry: register, list (filters + keyset pages), get, soft-delete.
import { DatasetSpecError } from '../data/errors.js';
import { checkDatasetLayout } from '../data/layout.js';
import type { DatasetFormat, Task } from '../formats/index.js';
import type { Dataset, Prisma, PrismaClient } from './db.js';
import { ConflictError, InvalidInputError, NotFoundError } from './errors.js';
import { type Page, type PageArgs, paginate } from './pagination.js';
import { isUniqueViolation } from './prisma-errors.js';
import { DATASET_FORMATS, TASKS, isOneOf, taskOfFormat } from './vocab.js';

export type { Dataset } from './db.js';

export interface RegisterDatasetParams {
  name: string;
  format: string;
  path?: string | null;
  task?: string | null;
  options?: Record<string, string | number | boolean> | null;
  imageShape?: number[] | null;
  numClasses?: number | null;
  trainSamples?: number | null;
  testSamples?: number | null;
  description?: string | null;
}

export interface DatasetFilter {
  task?: string | null;
  format?: string | null;
  synthetic?: boolean | null;
  nameContains?: string | null;
}

export class DatasetService {
  constructor(
    private readonly prisma: PrismaClient,
    /** Directories the server may read data sets from (SPIKELAB_DATA_ROOTS). */
    private readonly dataRoots: readonly string[],
  ) {}

  /** Registers a dataset. Non-synthetic formats need a directory under the data roots whose layout fits the format. */
  async register(p: RegisterDatasetParams): Promise<Dataset> {
    if (!isOneOf(DATASET_FORMATS, p.format)) throw new InvalidInputError('format', `must be one of ${DATASET_FORMATS.join(', ')}`);
    const format: DatasetFormat = p.format;
    const implied = taskOfFormat(format);
    let task: Task = implied;
    if (p.task != null) {
      if (!isOneOf(TASKS, p.task)) throw new InvalidInputError('task', `must be one of ${TASKS.join(', ')}`);
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
    if (p.imageShape != null && (p.imageShape.length !== 3 || p.imageShape.some((n) => !Number.isInteger(n) || n < 1))) {
      throw new InvalidInputError('imageShape', 'must be [height, width, channels] of positive integers');
    }
    try {
      return await this.prisma.dataset.create({
        data: {
          name: p.name,
          format,
          path,
          task,
          synthetic,
          options: p.options ?? undefined,
          imageShape: p.imageShape ?? undefined,
          numClasses: p.numClasses ?? null,
          trainSamples: p.trainSamples ?? null,
          testSamples: p.testSamples ?? null,
          description: p.description ?? null,
        },
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError('Dataset', 'name', p.name);
      throw err;
    }
  }

  /** A live (not deleted) dataset, or NotFoundError. */
  async get(id: number): Promise<Dataset> {
    const row = await this.prisma.dataset.findFirst({ where: { id, deletedAt: null } });
    if (!row) throw new NotFoundError('Dataset', id);
    return row;
  }

  async list(filter: DatasetFilter = {}, page: PageArgs = {}): Promise<Page<Dataset>> {
    const where: Prisma.DatasetWhereInput = {
      deletedAt: null,
      ...(filter.task != null && { task: filter.task }),
      ...(filter.format != null && { format: filter.format }),
      ...(filter.synthetic != null && { synthetic: filter.synthetic }),
      ...(filter.nameContains && { name: { contains: filter.nameContains } }),
    };
    return paginate(
      page,
      (id, take) => this.prisma.dataset.findMany({ where: { ...where, id }, orderBy: { id: 'asc' }, take }),
      () => this.prisma.dataset.count({ where }),
    );
  }

  /** Soft delete: the row stays for the runs that used it; the name stays taken. */
  async softDelete(id: number): Promise<Dataset> {
    await this.get(id);
    return this.prisma.dataset.update({ where: { id }, data: { deletedAt: new Date() } });
  }
}
