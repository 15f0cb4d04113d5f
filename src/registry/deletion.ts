// Soft deletes that may free stored files, followed by the store's garbage collection.
import type { CheckpointService } from './checkpoints.js';
import type { PrismaClient } from './db.js';
import type { ModelService } from './models.js';
import type { GcResult } from './store.js';

export class DeletionService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly models: ModelService,
    private readonly checkpoints: CheckpointService,
  ) {}

  /** Soft-deletes a checkpoint and collects files nothing references any more. */
  async checkpoint(id: number, gcMinAgeMs = 0): Promise<GcResult> {
    await this.checkpoints.softDelete(id);
    return this.checkpoints.collectGarbage(gcMinAgeMs);
  }

  /** Soft-deletes a model with all its checkpoints (its name becomes free), then collects their files. */
  async model(id: number, gcMinAgeMs = 0): Promise<GcResult> {
    await this.models.get(id);
    const cps = await this.prisma.checkpoint.findMany({ where: { modelId: id, deletedAt: null }, select: { id: true } });
    for (const cp of cps) await this.checkpoints.softDelete(cp.id);
    await this.models.softDelete(id);
    return this.checkpoints.collectGarbage(gcMinAgeMs);
  }
}
