// Model registry: a named architecture + spec, with its family and pre-training kind.
import { describeModel, ZooSpecError } from '../engine/zoo/index.js';
import type { Architecture, ModelDescription, ModelSpec } from '../formats/index.js';
import type { Model, Prisma, PrismaClient } from './db.js';
import { ConflictError, InvalidInputError, NotFoundError } from './errors.js';
import { type Page, type PageArgs, paginate } from './pagination.js';
import { isUniqueViolation } from './prisma-errors.js';
import { ARCHITECTURES, MODEL_FAMILIES, PRETRAINING_KINDS, familyOfArchitecture, isOneOf } from './vocab.js';

export type { Model } from './db.js';

export interface CreateModelParams {
  name: string;
  architecture: string;
  /** Defaults to the architecture's family; must agree with it when given. */
  family?: string | null;
  pretraining?: string | null;
  inputShape: number[];
  numClasses: number;
  widthMultiplier?: number | null;
  stem?: string | null;
  depth?: number | null;
  baseWidth?: number | null;
  batchNorm?: boolean | null;
  parameterCount?: number | null;
  macs?: number | null;
  description?: string | null;
}

export interface ModelFilter {
  architecture?: string | null;
  family?: string | null;
  pretraining?: string | null;
  nameContains?: string | null;
}

function buildSpec(p: CreateModelParams, architecture: Architecture): ModelSpec {
  const [h, w, c] = p.inputShape;
  if (p.inputShape.length !== 3 || h === undefined || w === undefined || c === undefined || p.inputShape.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new InvalidInputError('inputShape', 'must be [height, width, channels] of positive integers');
  }
  if (p.stem != null && p.stem !== 'cifar' && p.stem !== 'imagenet') throw new InvalidInputError('stem', 'must be cifar or imagenet');
  const spec: ModelSpec = { architecture, inputShape: [h, w, c], numClasses: p.numClasses, widthMultiplier: p.widthMultiplier ?? 1 };
  if (p.stem != null) spec.stem = p.stem;
  if (p.depth != null) spec.depth = p.depth;
  if (p.baseWidth != null) spec.baseWidth = p.baseWidth;
  if (p.batchNorm != null) spec.batchNorm = p.batchNorm;
  return spec;
}

/** The zoo's exact parameter count and MACs for `spec`; a spec the zoo cannot build is bad input. */
function describeOrRefuse(spec: ModelSpec): ModelDescription {
  try {
    return describeModel(spec);
  } catch (err) {
    if (err instanceof ZooSpecError) throw new InvalidInputError('inputShape', err.message);
    throw err;
  }
}

export class ModelService {
  constructor(private readonly prisma: PrismaClient) {}

  async create(p: CreateModelParams): Promise<Model> {
    if (!isOneOf(ARCHITECTURES, p.architecture)) throw new InvalidInputError('architecture', `must be one of ${ARCHITECTURES.join(', ')}`);
    const architecture: Architecture = p.architecture;
    const family = familyOfArchitecture(architecture);
    if (p.family != null) {
      if (!isOneOf(MODEL_FAMILIES, p.family)) throw new InvalidInputError('family', `must be one of ${MODEL_FAMILIES.join(', ')}`);
      if (p.family !== family) throw new InvalidInputError('family', `${architecture} is ${family}, not ${p.family}`);
    }
    const pretraining = p.pretraining ?? 'none';
    if (!isOneOf(PRETRAINING_KINDS, pretraining)) throw new InvalidInputError('pretraining', `must be one of ${PRETRAINING_KINDS.join(', ')}`);
    const spec = buildSpec(p, architecture);
    const described = describeOrRefuse(spec);
    try {
      return await this.prisma.model.create({
        data: {
          name: p.name,
          architecture,
          family,
          pretraining,
          spec: spec as unknown as Prisma.InputJsonObject,
          parameterCount: p.parameterCount ?? described.parameterCount,
          macs: p.macs ?? described.macs,
          description: p.description ?? null,
        },
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError('Model', 'name', p.name);
      throw err;
    }
  }

  /** A live (not deleted) model, or NotFoundError. */
  async get(id: number): Promise<Model> {
    const row = await this.prisma.model.findFirst({ where: { id, deletedAt: null } });
    if (!row) throw new NotFoundError('Model', id);
    return row;
  }

  /** Batch lookup for DataLoaders: result[i] belongs to ids[i] (null when missing). */
  async getMany(ids: readonly number[]): Promise<(Model | null)[]> {
    const rows = await this.prisma.model.findMany({ where: { id: { in: [...ids] } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async list(filter: ModelFilter = {}, page: PageArgs = {}): Promise<Page<Model>> {
    const where: Prisma.ModelWhereInput = {
      deletedAt: null,
      ...(filter.architecture != null && { architecture: filter.architecture }),
      ...(filter.family != null && { family: filter.family }),
      ...(filter.pretraining != null && { pretraining: filter.pretraining }),
      ...(filter.nameContains && { name: { contains: filter.nameContains } }),
    };
    return paginate(
      page,
      (id, take) => this.prisma.model.findMany({ where: { ...where, id }, orderBy: { id: 'asc' }, take }),
      () => this.prisma.model.count({ where }),
    );
  }

  /** Soft delete; the name stays taken so old results keep an unambiguous label. */
  async softDelete(id: number): Promise<Model> {
    await this.get(id);
    return this.prisma.model.update({ where: { id }, data: { deletedAt: new Date() } });
  }
}
