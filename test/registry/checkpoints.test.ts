import { existsSync } from 'node:fs';
import { NotFoundError } from '../../src/registry/errors.js';
import { openRegistry, type Registry } from '../../src/registry/registry.js';
import { makeTempDirs, type TempDirs } from '../api/harness.js';

const manifest = {
  format: 'tfjs-layers' as const,
  spec: { architecture: 'cnn-small' as const, inputShape: [28, 28, 1] as [number, number, number], numClasses: 10, widthMultiplier: 1 },
  weightSpecs: [{ name: 'dense/kernel', shape: [4], dtype: 'float32' as const }],
  createdAt: '2026-11-27T00:00:00Z',
};

describe('checkpoint service (database + store together)', () => {
  let tmp: TempDirs;
  let registry: Registry;
  beforeAll(async () => {
    tmp = makeTempDirs();
    registry = await openRegistry({ databaseUrl: tmp.databaseUrl, storeDir: tmp.storeDir });
  });
  afterAll(async () => {
    await registry.close();
    tmp.cleanup();
  });

  it('records checkpoints with aliases, moves an alias, and collects soft-deleted files', async () => {
    const model = await registry.models.create({ name: 'cnn', architecture: 'cnn-small', inputShape: [28, 28, 1], numClasses: 10 });
    const a = await registry.checkpoints.create({ modelId: model.id, weights: new Uint8Array([1, 2, 3, 4]), manifest, aliases: ['best', 'latest'] });
    const b = await registry.checkpoints.create({ modelId: model.id, weights: new Uint8Array([5, 6, 7, 8]), manifest, aliases: ['latest'] });
    expect(await registry.checkpoints.aliasesOf([a.id, b.id])).toEqual([['best'], ['latest']]);
    expect((a.manifest as { weightsSha256: string }).weightsSha256).toBe(a.sha256);
    expect([...(await registry.checkpoints.readWeights(a.id))]).toEqual([1, 2, 3, 4]);

    await registry.checkpoints.softDelete(b.id);
    const gc = await registry.checkpoints.collectGarbage(0);
    expect(gc.deleted).toEqual([b.sha256]);
    expect(existsSync(registry.store.pathOf(a.sha256))).toBe(true);
    await expect(registry.checkpoints.get(b.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a checkpoint for an unknown model without storing anything new', async () => {
    const before = await registry.store.list();
    await expect(registry.checkpoints.create({ modelId: 9999, weights: new Uint8Array([9]), manifest })).rejects.toBeInstanceOf(NotFoundError);
    expect(await registry.store.list()).toEqual(before);
  });

  it('keeps a model that checkpoints reference (onDelete Restrict)', async () => {
    const model = await registry.models.create({ name: 'cnn2', architecture: 'cnn-small', inputShape: [28, 28, 1], numClasses: 10 });
    await registry.checkpoints.create({ modelId: model.id, weights: new Uint8Array([42]), manifest });
    await expect(registry.prisma.model.delete({ where: { id: model.id } })).rejects.toThrow(/Foreign key/i);
  });
});
