import type { SegmentationReadout, Task } from '../../formats/conversion.js';
import type { BatchSums } from '../../formats/worker.js';
import { SEG_SUM_NAMES, SegmentationAccumulator, segmentationStats, topKCorrect } from './metrics.js';

/**
 * Turns the SNN's accumulated output at every step into per-step metrics, sample-weighted across
 * batches of any size (design/conversion.md §5): classification counts top-1 (and top-5 when there
 * are more than 5 classes) of Σ_{τ≤t} logits; segmentation scores, per image, the probability map
 * of the readout (readoutAt). A batch's numbers join the totals only when it completes.
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
  private pending: { top1: Float64Array; top5: Float64Array | null; seg: SegmentationAccumulator[] } | null = null;
  private labels: Float32Array = new Float32Array(0);
  private batch = 0;

  constructor(
    readonly task: Task,
    readonly numClasses: number,
    readonly steps: number,
    /** Pixels per image (segmentation) or 1. */
    readonly perSample: number,
    /** Segmentation: what the accumulated output holds and how it becomes a probability (readoutAt). */
    readonly readout: SegmentationReadout = 'mean-probability',
  ) {
    this.top1 = new Float64Array(steps);
    this.top5 = task === 'classification' && numClasses > 5 ? new Float64Array(steps) : null;
    this.seg = task === 'segmentation' ? Array.from({ length: steps }, () => new SegmentationAccumulator()) : [];
  }

  /** ANN output of one test batch (scores [B, K], or probabilities [B, 1, H, W]). */
  addAnn(y: Float32Array, labels: Float32Array, batch: number): void {
    if (this.task === 'classification') {
      const k = y.length / batch;
      if (k !== this.numClasses) throw new Error(`model outputs ${k} scores per sample, expected numClasses = ${this.numClasses}`);
      this.annTop1 += topKCorrect(y, labels, k, 1);
      this.annTop5 += topKCorrect(y, labels, k, 5);
    } else {
      if (y.length !== labels.length) throw new Error(`model outputs ${y.length / batch} values per image, masks have ${labels.length / batch}`);
      for (const s of segmentationStats(y, labels, batch, this.perSample)) this.annSeg.add(s);
    }
    this.annSamples += batch;
  }

  annMetrics(): Record<string, number> {
    if (this.task === 'segmentation') return this.annSeg.metrics();
    const out: Record<string, number> = { accuracy: this.annTop1 / this.annSamples };
    if (this.top5 !== null) out['top5'] = this.annTop5 / this.annSamples;
    return out;
  }

  beginBatch(labels: Float32Array, batch: number): void {
    this.labels = labels;
    this.batch = batch;
    this.pending = {
      top1: new Float64Array(this.steps),
      top5: this.top5 === null ? null : new Float64Array(this.steps),
      seg: this.task === 'segmentation' ? Array.from({ length: this.steps }, () => new SegmentationAccumulator()) : [],
    };
  }

  /**
   * `acc` = Σ_{τ≤t} output_τ for the current batch's samples from `offset` on (the whole batch, or
   * one chunk of it: chunks of a step come in sample order), read, not kept.
   */
  addStep(acc: Float32Array, t: number, offset = 0): void {
    const p = this.pending;
    if (p === null) throw new Error('StepCollector.addStep outside a batch');
    const i = t - 1;
    const per = this.task === 'classification' ? this.numClasses : this.perSample;
    const n = acc.length / per;
    if (!Number.isInteger(n) || offset + n > this.batch) throw new RangeError(`step output of ${acc.length} values at sample ${offset} does not fit a batch of ${this.batch}`);
    if (this.task === 'classification') {
      const labels = n === this.batch ? this.labels : this.labels.subarray(offset, offset + n);
      p.top1[i] = (p.top1[i] as number) + topKCorrect(acc, labels, this.numClasses, 1);
      if (p.top5 !== null) p.top5[i] = (p.top5[i] as number) + topKCorrect(acc, labels, this.numClasses, 5);
    } else {
      const seg = p.seg[i] as SegmentationAccumulator;
      const labels = n === this.batch ? this.labels : this.labels.subarray(offset * this.perSample, (offset + n) * this.perSample);
      const stats = this.readout === 'mean-probability' ? segmentationStats(acc, labels, n, this.perSample, 1 / t) : segmentationStats(readoutAt(acc, t, this.readout), labels, n, this.perSample);
      for (const s of stats) seg.add(s);
    }
  }

  /**
   * Adds the finished batch to the per-step totals; returns the batch's own additive sums (top-1 /
   * top-5 hits per step, or the segmentation sums per step), which addBatchSums() restores in a
   * resumed run.
   */
  endBatch(): BatchSums['sums'] {
    const p = this.pending;
    if (p === null) throw new Error('StepCollector.endBatch outside a batch');
    const mine: BatchSums['sums'] = {};
    if (this.task === 'classification') {
      mine['top1'] = Array.from(p.top1);
      if (p.top5 !== null) mine['top5'] = Array.from(p.top5);
    } else {
      const per = p.seg.map((a) => a.sums());
      SEG_SUM_NAMES.forEach((k, j) => (mine[k] = per.map((v) => v[j] as number)));
    }
    this.addSums(mine);
    this.samples += this.batch;
    this.pending = null;
    return mine;
  }

  /** Adds a batch simulated earlier (BatchSums of a previous attempt) as if it had just run. */
  addBatchSums(b: BatchSums): void {
    for (const name of this.sumNames()) {
      const got = b.sums[name];
      if (!got || got.length !== this.steps) throw new Error(`stored batch ${b.batch} has no ${name} sums over ${this.steps} steps`);
    }
    this.addSums(b.sums);
    this.samples += b.samples;
  }

  private sumNames(): readonly string[] {
    if (this.task === 'segmentation') return SEG_SUM_NAMES;
    return this.top5 !== null ? ['top1', 'top5'] : ['top1'];
  }

  private addSums(sums: Readonly<Record<string, readonly number[]>>): void {
    for (let i = 0; i < this.steps; i++) {
      if (this.task === 'classification') {
        this.top1[i] = (this.top1[i] as number) + (sums['top1']?.[i] ?? 0);
        if (this.top5 !== null) this.top5[i] = (this.top5[i] as number) + (sums['top5']?.[i] ?? 0);
      } else {
        (this.seg[i] as SegmentationAccumulator).addSums(SEG_SUM_NAMES.map((k) => sums[k]?.[i] ?? 0));
      }
    }
  }

  /** Drops an unfinished batch (cancellation, errors). */
  discardBatch(): void {
    this.pending = null;
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

/**
 * The segmentation prediction after step t from the accumulated head output `acc`:
 *   mean-probability: acc = Σ_{τ≤t} σ(logit_τ),  q = acc / t   (the running mean of per-step sigmoids);
 *   mean-logit:       acc = Σ_{τ≤t} logit_τ,     q = σ(acc / t) (the sigmoid of the running mean logit).
 * By Jensen's inequality the first is pulled towards ½ by the per-step noise of the logits; the
 * second is not. Returns a new array.
 */
export function readoutAt(acc: Float32Array, t: number, readout: SegmentationReadout): Float32Array {
  return readout === 'mean-probability' ? acc.map((v) => v / t) : acc.map((v) => 1 / (1 + Math.exp(-v / t)));
}
