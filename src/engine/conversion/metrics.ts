/**
 * Number of samples whose label is among the top k scores. rank(label) = #classes scoring higher
 * + #classes scoring equal with a smaller index (so k = 1 is argmax with first-index ties);
 * correct when rank < k. `scores` is count × numClasses row-major.
 */
export function topKCorrect(scores: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number, k: number): number {
  let correct = 0;
  for (let n = 0; n < labels.length; n++) {
    const label = labels[n] as number;
    const base = n * numClasses;
    const target = scores[base + label] as number;
    let rank = 0;
    for (let c = 0; c < numClasses && rank < k; c++) {
      const v = scores[base + c] as number;
      if (v > target || (v === target && c < label)) rank++;
    }
    if (rank < k) correct++;
  }
  return correct;
}

/** Top-k accuracy in [0, 1]: topKCorrect / count (k = 1: top-1 accuracy). */
export function accuracy(scores: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number, k = 1): number {
  return labels.length === 0 ? NaN : topKCorrect(scores, labels, numClasses, k) / labels.length;
}

/** Per-image sums for binary segmentation with probability q and label y ∈ {0, 1}. */
export interface SegImageStats {
  /** Σ q·y, Σ q, Σ y (soft). */
  inter: number;
  sumQ: number;
  sumY: number;
  /** After thresholding q > 0.5: true/false positives/negatives. */
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/**
 * Per-image sums of `batch` images of `perImage` pixels: prediction q = scale·values (scale = 1/t
 * turns an accumulated Σ_{τ≤t} of probabilities into the running mean), label y ∈ {0, 1}, hard
 * prediction q > 0.5.
 */
export function segmentationStats(values: ArrayLike<number>, labels: ArrayLike<number>, batch: number, perImage: number, scale = 1): SegImageStats[] {
  const out: SegImageStats[] = [];
  for (let b = 0; b < batch; b++) {
    let inter = 0;
    let sumQ = 0;
    let sumY = 0;
    let tp = 0;
    let hard = 0;
    for (let i = b * perImage, end = (b + 1) * perImage; i < end; i++) {
      const q = (values[i] as number) * scale;
      const y = labels[i] as number;
      inter += q * y;
      sumQ += q;
      sumY += y;
      if (q > 0.5) {
        hard++;
        tp += y;
      }
    }
    out.push({ inter, sumQ, sumY, tp, fp: hard - tp, fn: sumY - tp, tn: perImage - hard - (sumY - tp) });
  }
  return out;
}

/** softDice = (2·Σ q·y + 1) / (Σ q + Σ y + 1), for one image (design/conversion.md §7). */
export function softDice(s: SegImageStats): number {
  return (2 * s.inter + 1) / (s.sumQ + s.sumY + 1);
}

/** Names of SegmentationAccumulator.sums(), in order. */
export const SEG_SUM_NAMES = ['images', 'dice', 'accImg', 'iouImg', 'f1Img', 'tp', 'fp', 'fn', 'tn'] as const;

/** Running totals over images, so metrics weight every image (and pooled: every pixel) equally. */
export class SegmentationAccumulator {
  private n = 0;
  private dice = 0;
  private accImg = 0;
  private iouImg = 0;
  private f1Img = 0;
  private tp = 0;
  private fp = 0;
  private fn = 0;
  private tn = 0;

  add(s: SegImageStats): void {
    this.n++;
    this.dice += softDice(s);
    const pixels = s.tp + s.fp + s.fn + s.tn;
    this.accImg += pixels === 0 ? 1 : (s.tp + s.tn) / pixels;
    this.iouImg += ratio(s.tp, s.tp + s.fp + s.fn);
    this.f1Img += ratio(2 * s.tp, 2 * s.tp + s.fp + s.fn);
    this.tp += s.tp;
    this.fp += s.fp;
    this.fn += s.fn;
    this.tn += s.tn;
  }

  /** Adds another accumulator's images. */
  merge(o: SegmentationAccumulator): void {
    this.addSums(o.sums());
  }

  /** The additive sums behind the metrics, in SEG_SUM_NAMES order (a batch's share, for resuming). */
  sums(): number[] {
    return [this.n, this.dice, this.accImg, this.iouImg, this.f1Img, this.tp, this.fp, this.fn, this.tn];
  }

  /** Adds sums produced by sums() (of a batch simulated earlier, maybe by another worker). */
  addSums(v: readonly number[]): void {
    this.n += v[0] ?? 0;
    this.dice += v[1] ?? 0;
    this.accImg += v[2] ?? 0;
    this.iouImg += v[3] ?? 0;
    this.f1Img += v[4] ?? 0;
    this.tp += v[5] ?? 0;
    this.fp += v[6] ?? 0;
    this.fn += v[7] ?? 0;
    this.tn += v[8] ?? 0;
  }

  /**
   * softDice: per-image mean. pixelAccuracy, iou (foreground Jaccard), f1 (hard foreground Dice):
   * pooled over all pixels; *PerImage: the per-image means (an image with an empty union scores 1).
   */
  metrics(): Record<string, number> {
    const pixels = this.tp + this.fp + this.fn + this.tn;
    return {
      softDice: this.dice / this.n,
      pixelAccuracy: (this.tp + this.tn) / pixels,
      iou: ratio(this.tp, this.tp + this.fp + this.fn),
      f1: ratio(2 * this.tp, 2 * this.tp + this.fp + this.fn),
      pixelAccuracyPerImage: this.accImg / this.n,
      iouPerImage: this.iouImg / this.n,
      f1PerImage: this.f1Img / this.n,
    };
  }
}

/** Segmentation metrics of a set of images (see SegmentationAccumulator.metrics). */
export function segmentationMetrics(stats: readonly SegImageStats[]): Record<string, number> {
  const acc = new SegmentationAccumulator();
  for (const s of stats) acc.add(s);
  return acc.metrics();
}

function ratio(a: number, b: number): number {
  return b === 0 ? 1 : a / b;
}
