import { ENERGY_PJ, type EarlyExitRecord } from '../../formats/conversion.js';

/** The early-exit rules of a run (null: that rule is off; at least one is on). */
export interface EarlyExitRule {
  readonly patience: number | null;
  readonly margin: number | null;
}

/**
 * Adaptive early exit for classification, accounted beside the fixed-T simulation. After step t a
 * sample's prediction is ŷ_t = argmax_c A_t[c] of its accumulated logits A_t = Σ_{τ≤t} out_τ
 * (first index on ties, as the accuracy curve), and
 *   patience k: ŷ_t = ŷ_{t−1} = … = ŷ_{t−k+1} (the same class at k consecutive steps; k = 1 exits at t = 1);
 *   margin m:   top1(A_t/t) − top2(A_t/t) > m (mean logits in ANN units).
 * Its exit step for a run of T steps is e = the first t ≤ T where a rule holds, else T. It is
 * scored by ŷ_e and charged the SOPs it spent in steps 1..e (spikes × fan-out of every population,
 * its own spikes only). Every sample is still simulated to T, so the fixed-T curve stays complete.
 * One tracker serves several T (the ends of a sweep's group): what each T needs is kept per sample.
 */
export class EarlyExitTracker {
  /** Per finished sample: the first step a rule held (Infinity: none by the last end). */
  private readonly first: number[] = [];
  private readonly correctFirst: boolean[] = [];
  private readonly sopsFirst: number[] = [];
  /** Per end T, per finished sample: correct at T and SOPs over steps 1..T. */
  private readonly atEnd: Map<number, { correct: boolean[]; sops: number[] }>;
  private batch: {
    labels: Float32Array;
    pred: Int32Array;
    run: Int32Array;
    cum: Float64Array;
    first: Float64Array;
    correctFirst: Uint8Array;
    sopsFirst: Float64Array;
    ends: Map<number, { correct: Uint8Array; sops: Float64Array }>;
  } | null = null;

  constructor(
    readonly rule: EarlyExitRule,
    readonly numClasses: number,
    /** The run lengths T the records are asked for. */
    readonly ends: readonly number[],
  ) {
    if (rule.patience === null && rule.margin === null) throw new RangeError('early exit needs a patience or a margin');
    this.atEnd = new Map(ends.map((t) => [t, { correct: [], sops: [] }]));
  }

  beginBatch(labels: Float32Array, batch: number): void {
    this.batch = {
      labels,
      pred: new Int32Array(batch).fill(-1),
      run: new Int32Array(batch),
      cum: new Float64Array(batch),
      first: new Float64Array(batch).fill(Infinity),
      correctFirst: new Uint8Array(batch),
      sopsFirst: new Float64Array(batch),
      ends: new Map(this.ends.map((t) => [t, { correct: new Uint8Array(batch), sops: new Float64Array(batch) }])),
    };
  }

  /**
   * Step t of the current batch's samples from `offset` on (the whole batch or one chunk): acc =
   * A_t [samples × classes], sops = each of those samples' SOPs in step t.
   */
  addStep(acc: ArrayLike<number>, t: number, sops: ArrayLike<number>, offset = 0): void {
    const b = this.batch;
    if (b === null) throw new Error('EarlyExitTracker.addStep outside a batch');
    const k = this.numClasses;
    const end = b.ends.get(t);
    const count = acc.length / k;
    if (offset + count > b.pred.length) throw new RangeError(`step output of ${count} samples at ${offset} does not fit a batch of ${b.pred.length}`);
    for (let j = 0; j < count; j++) {
      const n = offset + j;
      let top = 0;
      let best = -Infinity;
      let second = -Infinity;
      for (let c = 0; c < k; c++) {
        const v = acc[j * k + c] as number;
        if (v > best) {
          second = best;
          best = v;
          top = c;
        } else if (v > second) second = v;
      }
      b.run[n] = top === b.pred[n] ? (b.run[n] as number) + 1 : 1;
      b.pred[n] = top;
      b.cum[n] = (b.cum[n] as number) + (sops[j] as number);
      const correct = top === (b.labels[n] as number) ? 1 : 0;
      const p = this.rule.patience;
      const m = this.rule.margin;
      const holds = (p !== null && b.run[n] >= p) || (m !== null && (best - second) / t > m);
      if (holds && b.first[n] === Infinity) {
        b.first[n] = t;
        b.correctFirst[n] = correct;
        b.sopsFirst[n] = b.cum[n];
      }
      if (end !== undefined) {
        end.correct[n] = correct;
        end.sops[n] = b.cum[n];
      }
    }
  }

  endBatch(): void {
    const b = this.batch;
    if (b === null) return;
    for (let n = 0; n < b.pred.length; n++) {
      this.first.push(b.first[n] as number);
      this.correctFirst.push(b.correctFirst[n] === 1);
      this.sopsFirst.push(b.sopsFirst[n] as number);
    }
    for (const [t, e] of b.ends) {
      const into = this.atEnd.get(t) as { correct: boolean[]; sops: number[] };
      for (let n = 0; n < b.pred.length; n++) {
        into.correct.push(e.correct[n] === 1);
        into.sops.push(e.sops[n] as number);
      }
    }
    this.batch = null;
  }

  discardBatch(): void {
    this.batch = null;
  }

  /** The outcome of a T-step run (T one of the ends), with the fixed run's SOPs per sample and the ANN's MACs. */
  record(T: number, fixedSops: number, annMacs: number): EarlyExitRecord {
    const end = this.atEnd.get(T);
    if (end === undefined) throw new RangeError(`early exit: T = ${T} is not one of the tracked ends`);
    const n = this.first.length;
    const histogram = new Array<number>(T).fill(0);
    let correct = 0;
    let steps = 0;
    let sops = 0;
    let exited = 0;
    for (let i = 0; i < n; i++) {
      const f = this.first[i] as number;
      const early = f <= T;
      const e = early ? f : T;
      histogram[e - 1] = (histogram[e - 1] as number) + 1;
      steps += e;
      if (early) exited++;
      if (early ? this.correctFirst[i] : end.correct[i]) correct++;
      sops += early ? (this.sopsFirst[i] as number) : (end.sops[i] as number);
    }
    const meanSops = sops / n;
    return {
      patience: this.rule.patience,
      margin: this.rule.margin,
      accuracy: correct / n,
      meanSteps: steps / n,
      stepsHistogram: histogram,
      exited,
      sops: meanSops,
      fixedSops,
      energyRatio: (meanSops * ENERGY_PJ.ac) / (annMacs * ENERGY_PJ.mac),
    };
  }
}
