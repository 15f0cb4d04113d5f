// The training loop: momentum SGD, cosine LR, label smoothing / BCE, seeded augmentation,
// validation-based model selection, cancellation between batches.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { sampleSizes } from '../../data/batch.js';
import { Rng } from '../../data/rng.js';
import { headSamples, splitValidation } from '../../data/split.js';
import type { LoadedDataset, Split } from '../../data/types.js';
import type { Progress } from '../../formats/conversion.js';
import { check } from '../../formats/fields.js';
import { trainingConfigSchema, type EpochRecord, type TrainingConfig, type TrainingOutcome } from '../../formats/training.js';
import { augmentClassification, augmentSegmentation } from './augment.js';
import { TrainingCancelledError, TrainingConfigError } from './errors.js';
import { binaryCrossEntropy, correctCount, smoothedCrossEntropy, softDiceSum } from './losses.js';
import { learningRateAt } from './schedule.js';
import { MomentumSgd } from './sgd.js';

/** One weight of a model, copied out (model.weights order and names). */
export interface WeightSnapshot {
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface TrainCallbacks {
  /** After every optimisation step: 1-based iteration, the batch's mean loss, the LR it used. */
  onIteration?(iteration: number, loss: number, lr: number): void;
  onEpoch?(rec: EpochRecord): void;
  onProgress?(p: Progress): void;
  /** Checked between batches; when aborted, TrainingCancelledError is thrown. */
  signal?: AbortSignal;
  /** Write the best weights back into the model at the end (default true). */
  restoreBest?: boolean;
}

export interface TrainResult {
  best: { epoch: number; valMetric: number; weights: WeightSnapshot[] };
  history: EpochRecord[];
  outcome: TrainingOutcome;
}

function snapshot(model: tfl.LayersModel): WeightSnapshot[] {
  return model.weights.map((w) => {
    const t = w.read();
    return { name: w.name, shape: [...t.shape], values: Float32Array.from(t.dataSync()) };
  });
}

function restore(model: tfl.LayersModel, snap: WeightSnapshot[]): void {
  model.weights.forEach((w, i) => {
    const t = tf.tensor(snap[i]!.values, snap[i]!.shape);
    w.write(t);
    t.dispose();
  });
}

function checkFit(model: tfl.LayersModel, data: LoadedDataset): void {
  const inShape = model.inputs[0]!.shape.slice(1);
  if (inShape.join() !== data.imageShape.join()) {
    throw new TrainingConfigError(`model input [${inShape.join(', ')}] does not match the data's images [${data.imageShape.join(', ')}]`);
  }
  const out = model.outputs[0]!.shape.slice(1);
  const want = data.task === 'classification' ? [data.numClasses] : [data.imageShape[0], data.imageShape[1], 1];
  if (out.join() !== want.join()) {
    throw new TrainingConfigError(`model output [${out.join(', ')}] does not fit ${data.task} data (expected [${want.join(', ')}])`);
  }
}

/** Builds one batch's tensors from samples `idx` (augmenting the floats first when asked). */
function makeBatch(data: LoadedDataset, split: Split, idx: ArrayLike<number>, augment: boolean, rng: Rng): { x: tf.Tensor4D; y: tf.Tensor } {
  const { img, lbl } = sampleSizes(data);
  const [h, w, c] = data.imageShape;
  const n = idx.length;
  const xs = new Float32Array(n * img);
  const ys = new Float32Array(n * lbl);
  for (let k = 0; k < n; k++) {
    const i = idx[k]!;
    xs.set(split.images.subarray(i * img, (i + 1) * img), k * img);
    ys.set(split.labels.subarray(i * lbl, (i + 1) * lbl), k * lbl);
  }
  if (augment) {
    if (data.task === 'classification') augmentClassification(xs, n, h, w, c, Math.max(1, Math.round(h / 8)), rng);
    else augmentSegmentation(xs, ys, n, h, w, c, rng);
  }
  const x = tf.tensor4d(xs, [n, h, w, c]);
  const y = data.task === 'classification' ? tf.tensor1d(ys, 'float32') : tf.tensor4d(ys, [n, h, w, 1]);
  return { x, y };
}

/** Loss (mean over the batch) and metric numerator (summed over the batch) of one forward pass. */
function lossAndMetric(data: LoadedDataset, out: tf.Tensor, y: tf.Tensor, smoothing: number): { loss: tf.Scalar; metric: tf.Scalar } {
  if (data.task === 'classification') {
    return { loss: smoothedCrossEntropy(out as tf.Tensor2D, y as tf.Tensor1D, smoothing), metric: correctCount(out as tf.Tensor2D, y as tf.Tensor1D) };
  }
  return { loss: binaryCrossEntropy(out, y), metric: softDiceSum(out as tf.Tensor4D, y as tf.Tensor4D) };
}

/** Loss and metric of a split in inference mode (BN uses running statistics), weighted per sample. */
export async function evaluate(model: tfl.LayersModel, data: LoadedDataset, split: Split, batchSize: number, smoothing = 0): Promise<{ loss: number; metric: number }> {
  let loss = 0;
  let metric = 0;
  for (let s = 0; s < split.count; s += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, split.count - s) }, (_, k) => s + k);
    const { l, m } = tf.tidy(() => {
      const { x, y } = makeBatch(data, split, idx, false, new Rng(0));
      const r = lossAndMetric(data, model.apply(x, { training: false }) as tf.Tensor, y, smoothing);
      return { l: tf.mul<tf.Scalar>(r.loss, idx.length), m: r.metric };
    });
    loss += (await l.data())[0]!;
    metric += (await m.data())[0]!;
    tf.dispose([l, m]);
  }
  return split.count > 0 ? { loss: loss / split.count, metric: metric / split.count } : { loss: NaN, metric: NaN };
}

/**
 * Trains `model` in place on data.train with momentum SGD (weight decay as L2 on every trainable
 * weight), the configured LR schedule over all iterations, label smoothing (classification) or
 * BCE (segmentation, sigmoid outputs) and optional seeded augmentation. Validation: data.validation
 * if present, else a seeded config.validationSplit of data.train. After each epoch the model is
 * scored on validation (accuracy / softDice); the best epoch's weights (all of them, BN statistics
 * included) are returned and, unless restoreBest is false, written back into the model. The test
 * split is never touched. Same model weights + data + config → same result.
 */
export async function trainModel(model: tfl.LayersModel, data: LoadedDataset, config: TrainingConfig, opts: TrainCallbacks = {}): Promise<TrainResult> {
  checkFit(model, data);
  const valid = check(trainingConfigSchema, config);
  if (!valid.ok) throw new TrainingConfigError(`invalid training config: ${valid.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
  const { img, lbl } = sampleSizes(data);
  let train = data.train;
  let validation = data.validation;
  if (!validation && config.validationSplit > 0) ({ train, validation } = splitValidation(train, config.validationSplit, config.seed, img, lbl));
  if (config.maxTrainSamples !== undefined) train = headSamples(train, config.maxTrainSamples, img, lbl);
  if (validation && config.maxValidationSamples !== undefined) validation = headSamples(validation, config.maxValidationSamples, img, lbl);
  if (train.count === 0) throw new TrainingConfigError('no training samples');
  const hasVal = validation !== undefined && validation.count > 0;

  const rng = new Rng(config.seed);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const sgd = new MomentumSgd(config.momentum, config.weightDecay);
  const perEpoch = Math.ceil(train.count / config.batchSize);
  const total = perEpoch * config.epochs;
  const history: EpochRecord[] = [];
  let best: TrainResult['best'] | null = null;
  let it = 0;
  const t0 = Date.now();
  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const te = Date.now();
      const perm = rng.permutation(train.count);
      let lossSum = 0;
      let metricSum = 0;
      let lr = config.learningRate;
      for (let b = 0; b < perEpoch; b++) {
        if (opts.signal?.aborted) throw new TrainingCancelledError(epoch, it);
        const idx = perm.subarray(b * config.batchSize, Math.min(train.count, (b + 1) * config.batchSize));
        lr = learningRateAt(config, it, total);
        const { x, y } = makeBatch(data, train, idx, config.augment, rng);
        let metricT: tf.Scalar | undefined;
        const { value, grads } = tf.variableGrads(() => {
          const r = lossAndMetric(data, model.apply(x, { training: true }) as tf.Tensor, y, config.labelSmoothing);
          metricT = tf.keep(r.metric);
          return r.loss;
        }, vars);
        sgd.step(vars, grads, lr);
        const loss = (await value.data())[0]!;
        metricSum += (await metricT!.data())[0]!;
        tf.dispose([x, y, value, metricT!, ...Object.values(grads)]);
        lossSum += loss * idx.length;
        it++;
        opts.onIteration?.(it, loss, lr);
        opts.onProgress?.({ fraction: it / total, phase: 'train', epoch, batch: b + 1, step: it });
      }
      const val = hasVal ? await evaluate(model, data, validation!, config.batchSize) : { loss: NaN, metric: NaN };
      const rec: EpochRecord = { epoch, trainLoss: lossSum / train.count, trainMetric: metricSum / train.count, valLoss: val.loss, valMetric: val.metric, learningRate: lr, seconds: (Date.now() - te) / 1000 };
      history.push(rec);
      opts.onEpoch?.(rec);
      // Ties keep the earlier epoch; without validation the last epoch is kept.
      if (!hasVal || best === null || rec.valMetric > best.valMetric) best = { epoch, valMetric: rec.valMetric, weights: snapshot(model) };
      opts.onProgress?.({ fraction: it / total, phase: 'validate', epoch, message: `epoch ${epoch}: val ${data.task === 'classification' ? 'accuracy' : 'softDice'} ${val.metric.toFixed(4)}` });
    }
  } finally {
    sgd.dispose();
  }
  if (opts.restoreBest !== false) restore(model, best!.weights);
  return {
    best: best!,
    history,
    outcome: {
      metric: data.task === 'classification' ? 'accuracy' : 'softDice',
      bestEpoch: best!.epoch,
      bestValMetric: best!.valMetric,
      selectedBy: hasVal ? 'validation' : 'last-epoch',
      iterations: it,
      seconds: (Date.now() - t0) / 1000,
      history,
    },
  };
}
