// Identical conversion requests are answered from the registry (issue 12). The rule, in one place:
// a request equals a SUCCEEDED, live run when the checkpoints' content (the weights' sha256 and the
// model spec that reads them), the data set, the test subset (maxSamples), every field of the
// conversion config and the engine version (ENGINE_VERSION) are equal. The requested execution
// provider is not part of it: the engine's numbers do not depend on where they were computed.
import { ENGINE_VERSION } from '../engine/version.js';
import { configKey, type ConversionConfig } from '../formats/index.js';
import type { Prisma, PrismaClient } from './db.js';
import { CONVERSION_RUN_OMIT, checkpointRecord, conversionConfigOf, conversionRunRecord, type Checkpoint, type ConversionRun } from './records.js';

type Db = PrismaClient | Prisma.TransactionClient;

export interface ConversionRequestKey {
  checkpoint: Pick<Checkpoint, 'sha256' | 'manifest'>;
  datasetId: number;
  maxSamples: number | null;
  config: ConversionConfig;
}

/** JSON with object keys sorted: equal values give equal text whatever order their keys were written in. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** What reads a checkpoint's weights: its format and model spec (equal weights under another spec are another network). */
function readerOf(manifest: Checkpoint['manifest']): string {
  return canonical([manifest.format, manifest.spec]);
}

/** The oldest SUCCEEDED live run equal to the request, or null. */
export async function findIdenticalRun(db: Db, key: ConversionRequestKey): Promise<ConversionRun | null> {
  const sameBytes = (await db.checkpoint.findMany({ where: { sha256: key.checkpoint.sha256 } })).map(checkpointRecord);
  const reader = readerOf(key.checkpoint.manifest);
  const ids = sameBytes.filter((c) => readerOf(c.manifest) === reader).map((c) => c.id);
  if (ids.length === 0) return null;
  const rows = await db.conversionRun.findMany({
    where: {
      checkpointId: { in: ids },
      datasetId: key.datasetId,
      maxSamples: key.maxSamples,
      status: 'SUCCEEDED',
      deletedAt: null,
      engineVersion: ENGINE_VERSION,
      timeSteps: key.config.timeSteps,
    },
    orderBy: { id: 'asc' },
    omit: CONVERSION_RUN_OMIT,
  });
  const want = configKey(key.config);
  for (const row of rows) {
    const run = conversionRunRecord(row);
    if (configKey(conversionConfigOf(run)) === want) return run;
  }
  return null;
}
