// Models imported from ONNX files (architecture 'onnx'). The model and its first checkpoint (the
// file itself, content-addressed like every checkpoint) are registered in one transaction, after
// the options were checked and the engine read the file (src/jobs/onnx-import.ts): a refused file
// leaves nothing behind.
import { z } from 'zod';
import {
  ALIAS_PATTERN,
  MODEL_SIZE_LIMITS,
  PRETRAINING_KINDS,
  nameSchema,
  onnxSpecSchema,
  storedModelSpecSchema,
  type ModelFamily,
  type OnnxModelSpec,
  type OnnxOrigin,
} from '../formats/index.js';
import { insertCheckpoint } from './checkpoints.js';
import type { PrismaClient } from './db.js';
import { ConflictError, InvalidInputError } from './errors.js';
import { parseInput, type Loose } from './input.js';
import { isUniqueViolation } from './prisma-errors.js';
import { modelRecord, toJson, type Checkpoint, type Model } from './records.js';
import type { ModelStore } from './store.js';

const spec = onnxSpecSchema.shape;

/** The options of an import (the file comes separately): checked before the file is read. */
export const importOnnxOptionsSchema = z.object({
  name: nameSchema,
  /** [height, width, channels]: needed where the graph leaves them symbolic, else checked against it. */
  inputShape: spec.inputShape.nullish(),
  /** Checked against the graph's class count (or given where the graph cannot say). */
  numClasses: spec.numClasses.nullish(),
  /** Defaults to 'imported'. */
  pretraining: z.enum(PRETRAINING_KINDS, { error: `must be one of ${PRETRAINING_KINDS.join(', ')}` }).nullish(),
  description: z.string().max(2000).nullish(),
  aliases: z.array(z.string().regex(ALIAS_PATTERN, { error: 'is not a valid alias' })).max(16).nullish(),
  /** Where the file comes from (free text; default: the path, or "uploaded"). */
  source: z.string().max(2000).nullish(),
});
export type ImportOnnxOptions = z.output<typeof importOnnxOptionsSchema>;
export type ImportOnnxOptionsParams = Loose<z.input<typeof importOnnxOptionsSchema>>;

/** What the engine derived from the file (src/jobs/onnx-tasks.ts). */
export interface ImportedGraph {
  spec: OnnxModelSpec;
  family: ModelFamily;
  parameterCount: number;
  macs: number;
  origin: OnnxOrigin;
}

export interface ImportedModel {
  model: Model;
  checkpoint: Checkpoint;
}

const big = (n: number): string => n.toExponential(2).replace('e+', 'e');

export class OnnxModelService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly store: ModelStore,
  ) {}

  /** The options, checked, and the name free among live models: before any file is read. */
  async checkOptions(params: ImportOnnxOptionsParams): Promise<ImportOnnxOptions> {
    const o = parseInput(importOnnxOptionsSchema, params);
    const taken = await this.prisma.model.findUnique({ where: { liveName: o.name }, select: { id: true } });
    if (taken) throw new ConflictError('Model', 'name', o.name);
    return o;
  }

  /**
   * Stores the file, then creates the model (architecture 'onnx', family and sizes from the graph)
   * and its first checkpoint with the aliases in one transaction. The graph's spec is bounded like
   * a zoo model's (input sides, classes) and its size by MODEL_SIZE_LIMITS.
   */
  async register(o: ImportOnnxOptions, g: ImportedGraph, file: Uint8Array): Promise<ImportedModel> {
    const checked = parseInput(onnxSpecSchema, g.spec, 'graph');
    if (g.parameterCount > MODEL_SIZE_LIMITS.parameters) throw new InvalidInputError('file', `the graph has ${big(g.parameterCount)} parameters; at most ${big(MODEL_SIZE_LIMITS.parameters)}`);
    if (g.macs > MODEL_SIZE_LIMITS.macs) throw new InvalidInputError('file', `the graph needs ${big(g.macs)} multiply-accumulates per image; at most ${big(MODEL_SIZE_LIMITS.macs)}`);
    const stored = await this.store.put(file);
    try {
      return await this.prisma.$transaction(async (tx) => {
        const row = await tx.model.create({
          data: {
            name: o.name,
            liveName: o.name,
            architecture: 'onnx',
            family: g.family,
            pretraining: o.pretraining ?? 'imported',
            spec: toJson(storedModelSpecSchema, checked),
            parameterCount: g.parameterCount,
            macs: g.macs,
            description: o.description ?? null,
          },
        });
        const manifest = { format: 'onnx' as const, spec: checked, weightSpecs: [], onnx: g.origin, createdAt: new Date().toISOString() };
        const checkpoint = await insertCheckpoint(tx, { modelId: row.id, weights: file, manifest, source: o.source ?? null, aliases: o.aliases ?? [] }, stored);
        return { model: modelRecord(row), checkpoint };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError('Model', 'name', o.name);
      throw err;
    } finally {
      this.store.unpin(stored.sha256);
    }
  }
}
