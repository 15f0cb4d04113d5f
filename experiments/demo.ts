// npm run demo: a VGG-style (plain) and a ResNet-style (residual) backbone trained on real
// Fashion-MNIST through a Spikelab server on a fresh embedded database, both converted to burst-
// spike SNNs (T = 64), compared, and drawn. Sizes are chosen to finish in about 10 minutes on two
// CPU cores (wasm backend); override them with the DEMO_* variables below.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from '../client/index.js';
import { followJob } from '../client/cli/follow.js';
import { formatTable } from '../client/cli/output.js';
import { matrixRows, writeFigures } from '../client/report/index.js';
import { installDashboard } from '../src/dashboard/routes.js';
import { startServer } from '../src/server.js';
import type { BackendName } from '../src/formats/conversion.js';

const FMNIST = process.env.DEMO_DATA ?? '/usr/share/datasets/fashion-mnist';
const num = (name: string, fallback: number): number => (process.env[name] ? Number(process.env[name]) : fallback);
const TRAIN = num('DEMO_TRAIN', 10000);
const TEST = num('DEMO_TEST', 1000);
const EPOCHS = num('DEMO_EPOCHS', 2);
const T = num('DEMO_T', 64);
const OUT = resolve(process.env.DEMO_OUT ?? 'reports/demo');

const BACKBONES = [
  { name: 'vgg11-fmnist', architecture: 'vgg11', widthMultiplier: num('DEMO_VGG_WIDTH', 0.125) },
  { name: 'resnet18-fmnist', architecture: 'resnet18', widthMultiplier: num('DEMO_RESNET_WIDTH', 0.125), stem: 'imagenet' },
];

async function main(): Promise<number> {
  if (!existsSync(join(FMNIST, 'train-images-idx3-ubyte.gz')) && !existsSync(join(FMNIST, 'train-images-idx3-ubyte'))) {
    console.error(`demo: Fashion-MNIST not found in ${FMNIST}; install it with \`apt-get install dataset-fashion-mnist\` (or set DEMO_DATA)`);
    return 1;
  }
  const started = Date.now();
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(0)} s`;
  const dir = mkdtempSync(join(tmpdir(), 'spikelab-demo-'));
  const server = await startServer(
    { port: num('DEMO_PORT', 0), host: '127.0.0.1', databaseUrl: `file:${join(dir, 'demo.db')}`, storeDir: join(dir, 'store'), backend: (process.env.SPIKELAB_BACKEND ?? 'auto') as BackendName },
    { routes: [installDashboard], log: () => {} },
  );
  const base = `http://127.0.0.1:${server.port}`;
  const client = connect(base);
  try {
    console.log(`Spikelab demo: server on a fresh database in ${dir}; dashboard at ${base}/ while it runs`);
    console.log(`Fashion-MNIST: ${TRAIN} training images (10 % held out for validation), ${EPOCHS} epoch(s); ${TEST} test images; T = ${T}\n`);
    const ds = await client.registerDataset({ name: 'fashion-mnist', format: 'idx', path: FMNIST });
    const runs: string[] = [];
    for (const b of BACKBONES) {
      const model = await client.createModel({ ...b, inputShape: [28, 28, 1], numClasses: 10, pretraining: 'supervised' });
      const tr = await client.startTraining({ modelId: model.id, datasetId: ds.id, config: { epochs: EPOCHS, batchSize: 64, learningRate: 0.05, augment: false, maxTrainSamples: TRAIN, seed: 0 } });
      await followJob(client, tr.jobId ?? '', `train   ${model.name}`);
      const trained = await client.trainingRun(tr.id);
      console.log(`  ${model.name} (${b.architecture}, width ×${b.widthMultiplier}): validation accuracy ${trained.bestMetric?.toFixed(4) ?? '-'} on ${trained.backendUsed ?? '?'} [${elapsed()}]`);
      const cr = await client.startConversion({ checkpointId: trained.resultCheckpointId ?? '', datasetId: ds.id, maxSamples: TEST, config: { timeSteps: T, batchSize: 100 } });
      await followJob(client, cr.jobId ?? '', `convert ${model.name}`);
      const converted = await client.conversionRun(cr.id);
      console.log(`  ${model.name}: ANN ${converted.annValue?.toFixed(4)} → SNN ${converted.best?.toFixed(4)} (best, step ${converted.bestStep}) [${elapsed()}]\n`);
      runs.push(cr.id);
    }
    const steps = [1, 2, 4, 8, 16, 32, 64].filter((s) => s <= T);
    const matrix = await client.compare({ runIds: runs, steps });
    const { headers, rows } = matrixRows(matrix);
    console.log(`SNN ${matrix.metric} on ${TEST} Fashion-MNIST test images at time step t:\n`);
    console.log(formatTable(headers, rows));
    console.log('');
    for (const f of await writeFigures(matrix, OUT)) console.log(`wrote ${f.path} (${f.width}×${f.height})`);
    console.log(`\ndemo finished in ${elapsed()}`);
    return 0;
  } finally {
    await client.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
