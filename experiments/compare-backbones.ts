// The README's client example (kept here so that tsc checks it): two backbones, trained, converted, compared.
import { connect } from '../client/index.js';

const sl = connect({ url: process.env.SPIKELAB_URL ?? 'http://127.0.0.1:4000', token: process.env.SPIKELAB_TOKEN });
const ds = await sl.registerDataset({ name: 'fmnist', format: 'idx', path: '/usr/share/datasets/fashion-mnist' });
const runIds: string[] = [];
for (const architecture of ['vgg11', 'resnet18']) {
  const m = await sl.createModel({ name: `${architecture}-fmnist`, architecture, inputShape: [28, 28, 1], numClasses: 10, widthMultiplier: 0.125 });
  const tr = await sl.train({ modelId: m.id, datasetId: ds.id, config: { epochs: 1, maxTrainSamples: 2000 } }, { onProgress: (j) => console.log(m.name, j.phase, j.progress) });
  const cr = await sl.convert({ checkpointId: tr.resultCheckpointId!, datasetId: ds.id, maxSamples: 500, config: { timeSteps: 64 } });
  runIds.push(cr.id);
}
const matrix = await sl.compare({ runIds, steps: [1, 4, 16, 64] }); // typed CompareMatrix
for (const r of matrix.rows) console.log(r.backbone, 'ANN', r.annValue, 'SNN', r.values, 'loss@T', r.lossAtT);
await sl.close();
