// Model registry: a named architecture + spec, with its family and pre-training kind. A new spec is
// bounded by the model spec schema (src/formats) and sized by the zoo's shape-only description
// before anything is stored.
import { z } from 'zod';
import { describeModel } from '../engine/zoo/describe.js';
import { ZooSpecError } from '../engine/zoo/errors.js';
import {
  ARCHITECTURES,
  MODEL_FAMILIES,
  MODEL_SIZE_LIMITS,
  PRETRAINING_KINDS,
  familyOfArchitecture,
  modelSpecSchema,
  nameSchema,
  storedModelSpecSchema,
  type ModelDescription,
  type ZooModelSpec,
} from '../formats/index.js';
import { containsText, type Prisma, type PrismaClient } from './db.js';
import type { Provider } from './provider.js';
import { ConflictError, InvalidInputError, NotFoundError } from './errors.js';
import { parseInput, type Loose } from './input.js';
import { type Page, type PageArgs, mapPage, paginate } from './pagination.js';
import { isUniqueViolation } from './prisma-errors.js';
import { inIdOrder, modelRecord, toJson, type Model } from './records.js';

export type { Model } from './records.js';

const specFields = modelSpecSchema.shape;

/** What createModel takes: the spec's fields (bounded), name, family, pre-training, optional sizes. */
export const createModelSchema = z.object({
  name: nameSchema,
  architecture: specFields.architecture,
  /** Defaults to the architecture's family; must agree with it when given. */
  family: z.enum(MODEL_FAMILIES, { error: `must be one of ${MODEL_FAMILIES.join(', ')}` }).nullish(),
  pretraining: z.enum(PRETRAINING_KINDS, { error: `must be one of ${PRETRAINING_KINDS.join(', ')}` }).nullish(),
  inputShape: specFields.inputShape,
  numClasses: specFields.numClasses,
  widthMultiplier: specFields.widthMultiplier.nullish(),
  stem: specFields.stem.unwrap().nullish(),
  depth: specFields.depth.unwrap().nullish(),
  baseWidth: specFields.baseWidth.unwrap().nullish(),
  batchNorm: z.boolean().nullish(),
  padding: specFields.padding.unwrap().nullish(),
  /** Override the zoo's counts (e.g. for an imported model the zoo sizes differently). */
  parameterCount: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullish(),
  macs: z.number().finite().min(0).nullish(),
  description: z.string().max(2000).nullish(),
});
export type CreateModelParams = Loose<z.input<typeof createModelSchema>>;

export interface ModelFilter {
  architecture?: string | null;
  family?: string | null;
  pretraining?: string | null;
  nameContains?: string | null;
}

const filterSchema = z.object({
  architecture: z.enum(ARCHITECTURES, { error: `must be one of ${ARCHITECTURES.join(', ')}` }).nullish(),
  family: z.enum(MODEL_FAMILIES).nullish(),
  pretraining: z.enum(PRETRAINING_KINDS).nullish(),
  nameContains: z.string().max(100).nullish(),
});

/** The zoo's exact counts for `spec`, refused (before anything is stored) past MODEL_SIZE_LIMITS. */
function describeOrRefuse(spec: ZooModelSpec): ModelDescription {
  let d: ModelDescription;
  try {
    d = describeModel(spec);
  } catch (err) {
    if (err instanceof ZooSpecError) throw new InvalidInputError('inputShape', err.message);
    throw err;
  }
  const big = (n: number) => n.toExponential(2).replace('e+', 'e');
  if (d.parameterCount > MODEL_SIZE_LIMITS.parameters) {
    throw new InvalidInputError('spec', `${spec.architecture} × ${spec.widthMultiplier} on ${spec.inputShape.join('×')} with ${spec.numClasses} classes has ${big(d.parameterCount)} parameters; at most ${big(MODEL_SIZE_LIMITS.parameters)}`);
  }
  if (d.macs > MODEL_SIZE_LIMITS.macs) {
    throw new InvalidInputError('spec', `${spec.architecture} × ${spec.widthMultiplier} on ${spec.inputShape.join('×')} needs ${big(d.macs)} multiply-accumulates per image; at most ${big(MODEL_SIZE_LIMITS.macs)}`);
  }
  return d;
}

export class ModelService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly provider: Provider,
  ) {}

  async create(params: CreateModelParams): Promise<Model> {
    if (params.architecture === 'onnx') throw new InvalidInputError('architecture', 'an onnx model is registered together with its ONNX file by importOnnxModel (spikelab model import)');
    const p = parseInput(createModelSchema, params);
    const family = familyOfArchitecture(p.architecture);
    if (p.family != null && p.family !== family) throw new InvalidInputError('family', `${p.architecture} is ${family}, not ${p.family}`);
    const spec = parseInput(modelSpecSchema, {
      architecture: p.architecture,
      inputShape: p.inputShape,
      numClasses: p.numClasses,
      widthMultiplier: p.widthMultiplier ?? 1,
      ...(p.stem != null && { stem: p.stem }),
      ...(p.depth != null && { depth: p.depth }),
      ...(p.baseWidth != null && { baseWidth: p.baseWidth }),
      ...(p.batchNorm != null && { batchNorm: p.batchNorm }),
      ...(p.padding != null && { padding: p.padding }),
    });
    const described = describeOrRefuse(spec);
    try {
      const row = await this.prisma.model.create({
        data: {
          name: p.name,
          liveName: p.name,
          architecture: p.architecture,
          family,
          pretraining: p.pretraining ?? 'none',
          spec: toJson(storedModelSpecSchema, spec),
          parameterCount: p.parameterCount ?? described.parameterCount,
          macs: p.macs ?? described.macs,
          description: p.description ?? null,
        },
      });
      return modelRecord(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError('Model', 'name', p.name);
      throw err;
    }
  }

  /** A live (not deleted) model, or NotFoundError. */
  async get(id: number): Promise<Model> {
    const row = await this.prisma.model.findFirst({ where: { id, deletedAt: null } });
    if (!row) throw new NotFoundError('Model', id);
    return modelRecord(row);
  }

  /** Batch lookup for DataLoaders, deleted models included (old runs keep their label): result[i] belongs to ids[i]. */
  async byIds(ids: readonly number[]): Promise<(Model | null)[]> {
    const rows = await this.prisma.model.findMany({ where: { id: { in: [...ids] } } });
    return inIdOrder(ids, rows.map(modelRecord));
  }

  async list(filter: ModelFilter = {}, page: PageArgs = {}): Promise<Page<Model>> {
    const f = parseInput(filterSchema, filter, 'filter');
    const where: Prisma.ModelWhereInput = {
      deletedAt: null,
      ...(f.architecture != null && { architecture: f.architecture }),
      ...(f.family != null && { family: f.family }),
      ...(f.pretraining != null && { pretraining: f.pretraining }),
      ...(f.nameContains && { name: containsText(this.provider, f.nameContains) }),
    };
    const rows = await paginate(
      page,
      (q) => this.prisma.model.findMany({ where: { ...where, id: q.id }, orderBy: q.orderBy, take: q.take }),
      () => this.prisma.model.count({ where }),
    );
    return mapPage(rows, modelRecord);
  }

  /** Soft delete: the row stays for the runs that used it; its name is free for a new model. */
  async softDelete(id: number): Promise<Model> {
    await this.get(id);
    return modelRecord(await this.prisma.model.update({ where: { id }, data: { deletedAt: new Date(), liveName: null } }));
  }
}
