import { accuracy, quantileInPlace, segmentationMetrics, segmentationStats, softDice, topKCorrect } from '../../../src/engine/conversion/index.js';

describe('metrics', () => {
  it('top-1 / top-k with first-index ties', () => {
    const scores = [0.1, 0.5, 0.4, /**/ 0.3, 0.3, 0.1, /**/ 0.9, 0.05, 0.05];
    expect(topKCorrect(scores, [1, 1, 2], 3, 1)).toBe(1); // sample 2: tie 0.3/0.3 → class 0 wins
    expect(topKCorrect(scores, [1, 1, 2], 3, 2)).toBe(2);
    expect(accuracy(scores, [1, 0, 0], 3)).toBeCloseTo(1, 10);
  });

  it('soft Dice per image, hard metrics pooled and per image', () => {
    // Image 1: q = [0.9, 0.8, 0.2, 0.1], y = [1, 1, 0, 0]; image 2: q = [0.6, 0.4, 0.7, 0.1], y = [1, 0, 0, 0].
    const q = [0.9, 0.8, 0.2, 0.1, 0.6, 0.4, 0.7, 0.1];
    const y = [1, 1, 0, 0, 1, 0, 0, 0];
    const st = segmentationStats(q, y, 2, 4);
    expect(softDice(st[0]!)).toBeCloseTo((2 * 1.7 + 1) / (2 + 2 + 1), 5);
    expect(softDice(st[1]!)).toBeCloseTo((2 * 0.6 + 1) / (1.8 + 1 + 1), 5);
    const m = segmentationMetrics(st);
    // Pooled: tp = 3, fp = 1, fn = 0, tn = 4.
    expect(m['pixelAccuracy']).toBeCloseTo(7 / 8, 6);
    expect(m['iou']).toBeCloseTo(3 / 4, 6);
    expect(m['f1']).toBeCloseTo(6 / 7, 6);
    // Per image: image 1 perfect; image 2 tp 1, fp 1 → IoU 1/2, F1 2/3, accuracy 3/4.
    expect(m['iouPerImage']).toBeCloseTo((1 + 0.5) / 2, 6);
    expect(m['f1PerImage']).toBeCloseTo((1 + 2 / 3) / 2, 6);
    expect(m['pixelAccuracyPerImage']).toBeCloseTo((1 + 0.75) / 2, 6);
    expect(m['softDice']).toBeCloseTo((softDice(st[0]!) + softDice(st[1]!)) / 2, 6);
    // The running mean of an accumulated sum: Σ over 4 steps scaled by 1/4 gives the same numbers.
    const st4 = segmentationStats(q.map((v) => 4 * v), y, 2, 4, 1 / 4);
    expect(softDice(st4[1]!)).toBeCloseTo(softDice(st[1]!), 6);
    expect(st4[0]).toEqual(st[0]);
  });

  it('quantile = numpy linear interpolation', () => {
    const a = Float32Array.from([5, 1, 4, 2, 3, 0, 0, 0, 9, 7]);
    const sorted = [...a].sort((x, y) => x - y);
    for (const p of [0, 0.1, 0.5, 0.9, 0.95, 0.99, 1]) {
      const r = p * (sorted.length - 1);
      const lo = sorted[Math.floor(r)]!;
      const hi = sorted[Math.min(Math.floor(r) + 1, sorted.length - 1)]!;
      expect(quantileInPlace(a.slice(), p)).toBeCloseTo(lo + (r - Math.floor(r)) * (hi - lo), 6);
    }
    expect(quantileInPlace(new Float32Array(1000), 0.99)).toBe(0);
  });
});
