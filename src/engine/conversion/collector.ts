import * as tf from '@tensorflow/tfjs-core';
import type { Task } from '../../formats/conversion.js';
import type { BatchSums } from '../../formats/worker.js';
import { readSegStats, SEG_STAT_COLUMNS, SEG_SUM_NAMES, SegmentationAccumulator, segmentationStatsTensor, topKCorrect } from './metrics.js';

/**
 * Turns the SNN's accumulated output at every step into per-step metrics, sample-weighted across
 * batches of any size. Per step it only keeps a small device tensor (the accumulated logits, or
 * per-image segmentation sums); they are read back once per batch, so a GPU backend syncs once
 * per batch, not once per step.
 */
export class StepCollector {
  samples = 0;
  private readonly top1: Float64Array;
  private readonly top5: Float64Array | null;
  private readonly seg: SegmentationAccumulator[];
  private annTop1 = 0;
  private annTop5 = 0;
  private annSamples = 0;
  private readonly annSeg = new SegmentationAccumulator();
  private pending: tf.Tensor[] = [];
  private labels: Float32Array = new Float32Array(0);
  private labelTensor: tf.Tensor | null = null;
  private batch = 0;

  constructor(
    readonly task: Task,
    readonly numClasses: number,
    readonly steps: number,
  ) {
    this.top1 = new Float64Array(steps);
    this.top5 = task === 'classification' && numClasses > 5 ? new Float64Array(steps) : null;
    this.seg = task === 'segmentation' ? Array.from({ length: steps }, () => new SegmentationAccumulator()) : [];
  }

  /** ANN output of one test batch (scores [B, K], or probabilities [B, H, W, 1]). */
  addAnn(y: tf.Tensor, labels: Float32Array): void {
    const b = y.shape[0] ?? 0;
    if (this.task === 'classification') {
      const k = y.size / b;
      if (k !== this.numClasses) throw new Error(`model outputs ${k} scores per sample, expected numClasses = ${this.numClasses}`);
      const scores = y.dataSync();
      this.annTop1 += topKCorrect(scores, labels, k, 1);
      this.annTop5 += topKCorrect(scores, labels, k, 5);
    } else {
      if (y.size !== labels.length) throw new Error(`model outputs ${y.size / b} values per image, masks have ${labels.length / b}`);
      const st = tf.tidy(() => segmentationStatsTensor(y, tf.tensor(labels, y.shape)));
      for (const s of readSegStats(st.dataSync())) this.annSeg.add(s);
      st.dispose();
    }
    this.annSamples += b;
  }

  annMetrics(): Record<string, number> {
    if (this.task === 'segmentation') return this.annSeg.metrics();
    const out: Record<string, number> = { accuracy: this.annTop1 / this.annSamples };
    if (this.top5 !== null) out['top5'] = this.annTop5 / this.annSamples;
    return out;
  }

  beginBatch(labels: Float32Array, batch: number, imageShape: readonly number[]): void {
    this.discardBatch();
    this.labels = labels;
    this.batch = batch;
    if (this.task === 'segmentation') this.labelTensor = tf.tensor(labels, [batch, imageShape[0] ?? 1, imageShape[1] ?? 1, 1]);
  }

  /** `acc` = Σ_{τ≤t} output_τ (not owned). */
  addStep(acc: tf.Tensor, t: number): void {
    if (this.task === 'classification') {
      this.pending.push(tf.clone(acc));
    } else {
      const labels = this.labelTensor as tf.Tensor;
      this.pending.push(tf.tidy(() => segmentationStatsTensor(tf.reshape(tf.div(acc, t), labels.shape), labels)));
    }
  }

  /**
   * Reads the batch's per-step tensors back and adds them to the per-step totals; returns the
   * batch's own additive sums (top-1/top-5 hits per step, or the segmentation sums per step), which
   * addBatchSums() restores in a resumed run.
   */
  endBatch(): Record<string, number[]> {
    const n = this.pending.length;
    const stacked = tf.stack(this.pending);
    const flat = stacked.dataSync();
    stacked.dispose();
    const per = flat.length / n;
    const mine = this.emptySums();
    for (let t = 0; t < n; t++) {
      if (this.task === 'classification') {
        const scores = flat.subarray(t * per, (t + 1) * per);
        mine['top1']![t] = topKCorrect(scores, this.labels, this.numClasses, 1);
        if (this.top5 !== null) mine['top5']![t] = topKCorrect(scores, this.labels, this.numClasses, 5);
      } else {
        const acc = new SegmentationAccumulator();
        for (const s of readSegStats(flat, t * per, per / SEG_STAT_COLUMNS)) acc.add(s);
        acc.sums().forEach((v, k) => (mine[SEG_SUM_NAMES[k]!]![t] = v));
      }
    }
    this.addSums(mine);
    this.samples += this.batch;
    this.discardBatch();
    return mine;
  }

  /** Adds a batch simulated earlier (BatchSums of a previous attempt) as if it had just run. */
  addBatchSums(b: BatchSums): void {
    for (const [name, values] of Object.entries(this.emptySums())) {
      const got = b.sums[name];
      if (!got || got.length !== values.length) throw new Error(`stored batch ${b.batch} has no ${name} sums over ${values.length} steps`);
    }
    this.addSums(b.sums);
    this.samples += b.samples;
  }

  private emptySums(): Record<string, number[]> {
    const names = this.task === 'classification' ? (this.top5 !== null ? ['top1', 'top5'] : ['top1']) : [...SEG_SUM_NAMES];
    return Object.fromEntries(names.map((k) => [k, new Array<number>(this.steps).fill(0)]));
  }

  private addSums(sums: Record<string, readonly number[]>): void {
    for (let t = 0; t < this.steps; t++) {
      if (this.task === 'classification') {
        this.top1[t] = (this.top1[t] as number) + (sums['top1']?.[t] ?? 0);
        if (this.top5 !== null) this.top5[t] = (this.top5[t] as number) + (sums['top5']?.[t] ?? 0);
      } else {
        (this.seg[t] as SegmentationAccumulator).addSums(SEG_SUM_NAMES.map((k) => sums[k]?.[t] ?? 0));
      }
    }
  }

  /** Drops per-step tensors of an unfinished batch (cancellation, errors). */
  discardBatch(): void {
    for (const p of this.pending) p.dispose();
    this.pending = [];
    this.labelTensor?.dispose();
    this.labelTensor = null;
  }

  /** Per-step metrics over the samples finished so far: values[t-1] after step t. */
  stepMetrics(): Record<string, number[]> {
    if (this.task === 'classification') {
      const out: Record<string, number[]> = { accuracy: Array.from(this.top1, (c) => c / this.samples) };
      if (this.top5 !== null) out['top5'] = Array.from(this.top5, (c) => c / this.samples);
      return out;
    }
    const per = this.seg.map((a) => a.metrics());
    const names = Object.keys(per[0] ?? {});
    return Object.fromEntries(names.map((k) => [k, per.map((m) => m[k] as number)]));
  }
}
