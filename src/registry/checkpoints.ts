// Checkpoints: weights in the content-addressed store, metadata + aliases in the database.
import { ALIAS_PATTERN, CHECKPOINT_FORMATS, checkpointManifestSchema, type CheckpointManifest } from '../formats/index.js';
import type { Prisma, PrismaClient } from './db.js';
import { InvalidInputError, NotFoundError } from './errors.js';
import { type Page, type PageArgs, mapPage, paginate } from './pagination.js';
import { isForeignKeyViolation } from './prisma-errors.js';
import { checkpointRecord, inIdOrder, toJson, type Checkpoint } from './records.js';
import type { GcResult, ModelStore, StoredFile } from './store.js';

export type { Checkpoint } from './records.js';

export interface CheckpointFilter {
  format?: string | null;
  /** Only the checkpoint that carries this alias. */
  alias?: string | null;
  /** Only checkpoints produced by this training run. */
  trainingRunId?: number | null;
}

export interface CreateCheckpointParams {
  modelId: number;
  /** The weights payload; stored by sha256. */
  weights: Uint8Array;
  manifest: Omit<CheckpointManifest, 'weightsSha256'>;
  trainingRunId?: number | null;
  source?: string | null;
  aliases?: string[];
}

/**
 * The checkpoint row of weights already in the store, and its aliases (an alias used in the model
 * moves to it), inside the caller's transaction.
 */
export async function insertCheckpoint(tx: Prisma.TransactionClient, p: CreateCheckpointParams, stored: StoredFile): Promise<Checkpoint> {
  const manifest: CheckpointManifest = { ...p.manifest, weightsSha256: stored.sha256 };
  const row = await tx.checkpoint.create({
    data: {
      modelId: p.modelId,
      sha256: stored.sha256,
      sizeBytes: BigInt(stored.sizeBytes),
      format: manifest.format,
      manifest: toJson(checkpointManifestSchema, manifest),
      trainingRunId: p.trainingRunId ?? null,
      source: p.source ?? null,
    },
  });
  for (const alias of p.aliases ?? []) {
    await tx.checkpointAlias.upsert({
      where: { modelId_alias: { modelId: p.modelId, alias } },
      create: { modelId: p.modelId, alias, checkpointId: row.id },
      update: { checkpointId: row.id },
    });
  }
  return checkpointRecord(row);
}

export class CheckpointService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly store: ModelStore,
  ) {}

  /**
   * Stores the weights, then records the checkpoint and its aliases in one transaction (an alias
   * already used in the model moves to the new checkpoint).
   */
  async create(p: CreateCheckpointParams): Promise<Checkpoint> {
    if (!(CHECKPOINT_FORMATS as readonly string[]).includes(p.manifest.format)) throw new InvalidInputError('format', `must be one of ${CHECKPOINT_FORMATS.join(', ')}`);
    for (const alias of p.aliases ?? []) if (!ALIAS_PATTERN.test(alias)) throw new InvalidInputError('aliases', `"${alias}" is not a valid alias`);
    const model = await this.prisma.model.findFirst({ where: { id: p.modelId, deletedAt: null } });
    if (!model) throw new NotFoundError('Model', p.modelId);
    const stored = await this.store.put(p.weights);
    try {
      return await this.prisma.$transaction((tx) => insertCheckpoint(tx, p, stored));
    } catch (err) {
      if (isForeignKeyViolation(err)) throw new NotFoundError('TrainingRun', p.trainingRunId ?? '?');
      throw err;
    } finally {
      this.store.unpin(stored.sha256);
    }
  }

  async get(id: number): Promise<Checkpoint> {
    const row = await this.prisma.checkpoint.findFirst({ where: { id, deletedAt: null } });
    if (!row) throw new NotFoundError('Checkpoint', id);
    return checkpointRecord(row);
  }

  /** Batch lookup for DataLoaders, deleted checkpoints included (runs keep their history). */
  async byIds(ids: readonly number[]): Promise<(Checkpoint | null)[]> {
    const rows = await this.prisma.checkpoint.findMany({ where: { id: { in: [...ids] } } });
    return inIdOrder(ids, rows.map(checkpointRecord));
  }

  /** Reads the weights, verified against the recorded sha256 (StoreIntegrityError if corrupt). */
  async readWeights(id: number): Promise<Buffer> {
    return this.store.get((await this.get(id)).sha256);
  }

  /** Checkpoints of a live model. NotFoundError when the model does not exist. */
  async list(modelId: number, filter: CheckpointFilter = {}, page: PageArgs = {}): Promise<Page<Checkpoint>> {
    const model = await this.prisma.model.findFirst({ where: { id: modelId, deletedAt: null }, select: { id: true } });
    if (!model) throw new NotFoundError('Model', modelId);
    const where: Prisma.CheckpointWhereInput = {
      modelId,
      deletedAt: null,
      ...(filter.format != null && { format: filter.format }),
      ...(filter.alias != null && { aliases: { some: { alias: filter.alias } } }),
      ...(filter.trainingRunId != null && { trainingRunId: filter.trainingRunId }),
    };
    const rows = await paginate(
      page,
      (q) => this.prisma.checkpoint.findMany({ where: { ...where, id: q.id }, orderBy: q.orderBy, take: q.take }),
      () => this.prisma.checkpoint.count({ where }),
    );
    return mapPage(rows, checkpointRecord);
  }

  /** Batch lookup for DataLoaders: aliases of each checkpoint, sorted. */
  async aliasesOf(checkpointIds: readonly number[]): Promise<string[][]> {
    const rows = await this.prisma.checkpointAlias.findMany({ where: { checkpointId: { in: [...checkpointIds] } }, orderBy: { alias: 'asc' } });
    return checkpointIds.map((id) => rows.filter((r) => r.checkpointId === id).map((r) => r.alias));
  }

  /** Points `alias` of the checkpoint's model at it (moving it from another checkpoint). */
  async setAlias(checkpointId: number, alias: string): Promise<Checkpoint> {
    if (!ALIAS_PATTERN.test(alias)) throw new InvalidInputError('alias', `"${alias}" is not a valid alias`);
    const cp = await this.get(checkpointId);
    await this.prisma.checkpointAlias.upsert({
      where: { modelId_alias: { modelId: cp.modelId, alias } },
      create: { modelId: cp.modelId, alias, checkpointId },
      update: { checkpointId },
    });
    return cp;
  }

  /** Soft delete: the row stays (runs keep their history), aliases go, and the file becomes collectable. */
  async softDelete(id: number): Promise<Checkpoint> {
    await this.get(id);
    return this.prisma.$transaction(async (tx) => {
      await tx.checkpointAlias.deleteMany({ where: { checkpointId: id } });
      return checkpointRecord(await tx.checkpoint.update({ where: { id }, data: { deletedAt: new Date() } }));
    });
  }

  /**
   * Garbage-collects the store: deletes files that no live (not soft-deleted) checkpoint references.
   * Files being written, pinned, or younger than minAgeMs are kept.
   */
  async collectGarbage(minAgeMs?: number): Promise<GcResult> {
    const rows = await this.prisma.checkpoint.findMany({ where: { deletedAt: null }, select: { sha256: true }, distinct: ['sha256'] });
    return this.store.gc(new Set(rows.map((r) => r.sha256)), minAgeMs);
  }
}
