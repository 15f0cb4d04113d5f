// A live server on a temporary database with the dashboard, seeded through the typed client with
// real (tiny) jobs: two backbones trained on a seeded synthetic set and converted. No mocks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type ConversionRun, type Job, type SpikelabClient } from '../../client/index.js';
import { defaultDataRoots } from '../../src/data/files.js';
import type { Config } from '../../src/config.js';
import { installDashboard } from '../../src/dashboard/routes.js';
import { type SpikelabServer, startServer } from '../../src/server.js';
import { dropTestDatabase, newTestDatabase } from '../db/database.js';

export const TINY_DATASET = { name: 'synth', format: 'synthetic-classification', options: { size: 8, numClasses: 3, trainCount: 64, testCount: 32, channels: 1, seed: 1 } };
export const TINY_TRAINING = { epochs: 1, batchSize: 16, learningRate: 0.05, validationSplit: 0.25, augment: false };

export interface LiveServer {
  server: SpikelabServer;
  base: string;
  dir: string;
  databaseUrl: string;
  client: SpikelabClient;
  stop(): Promise<void>;
}

export async function startLiveServer(): Promise<LiveServer> {
  const dir = mkdtempSync(join(tmpdir(), 'spikelab-client-'));
  const databaseUrl = newTestDatabase(dir);
  // the temporary directory is a data root too: tests import checkpoints and data sets written there
  const config: Config = { port: 0, host: '127.0.0.1', databaseUrl, storeDir: join(dir, 'store'), backend: 'cpu', dataRoots: [...defaultDataRoots(join(dir, 'store')), dir] };
  const server = await startServer(config, { routes: [installDashboard], log: () => {} });
  const base = `http://127.0.0.1:${server.port}`;
  const client = connect(base);
  return {
    server, base, dir, databaseUrl, client,
    async stop() {
      await client.close();
      await server.close();
      dropTestDatabase(databaseUrl);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Seeded {
  datasetId: string;
  runs: ConversionRun[];
  /** Every progress event waitForJob reported, per training job. */
  progress: Job[][];
}

/** Trains and converts a plain and a residual tiny backbone (T = 16) through the client. */
export async function seed(client: SpikelabClient, timeSteps = 16): Promise<Seeded> {
  const ds = await client.registerDataset(TINY_DATASET);
  const specs = [
    { name: 'plain-tiny', architecture: 'cnn-small', widthMultiplier: 0.25 },
    { name: 'residual-tiny', architecture: 'resnet18', widthMultiplier: 0.0625 },
  ];
  const runs: ConversionRun[] = [];
  const progress: Job[][] = [];
  for (const s of specs) {
    const model = await client.createModel({ ...s, inputShape: [8, 8, 1], numClasses: 3 });
    const events: Job[] = [];
    const trained = await client.train({ modelId: model.id, datasetId: ds.id, config: TINY_TRAINING }, { onProgress: (j) => events.push(j) });
    progress.push(events);
    if (!trained.resultCheckpointId) throw new Error(`training of ${s.name} left no checkpoint`);
    runs.push(await client.convert({ checkpointId: trained.resultCheckpointId, datasetId: ds.id, config: { timeSteps, batchSize: 16 } }));
  }
  return { datasetId: ds.id, runs, progress };
}

/** A tiny UNet trained and converted on seeded synthetic segmentation data (T = 4); its run keeps figure panels. */
export async function seedSegmentation(client: SpikelabClient): Promise<ConversionRun> {
  const ds = await client.registerDataset({ name: 'seg', format: 'synthetic-segmentation', options: { size: 16, trainCount: 16, testCount: 4, seed: 1 } });
  const model = await client.createModel({ name: 'unet-tiny', architecture: 'unet', inputShape: [16, 16, 1], numClasses: 1, depth: 1, baseWidth: 4 });
  const trained = await client.train({ modelId: model.id, datasetId: ds.id, config: { epochs: 1, batchSize: 8, augment: false } });
  return client.convert({ checkpointId: trained.resultCheckpointId ?? '', datasetId: ds.id, config: { timeSteps: 4, batchSize: 4 } });
}
