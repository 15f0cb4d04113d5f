import { channels, sites, size, type Graph } from '../ir/graph.js';
import { AnnRunner } from '../ort/ann-runner.js';
import type { OrtOptions } from '../ort/session.js';
import { quantileInPlace } from './percentile.js';

export interface CalibrationOptions {
  /** p in (0, 1]: the quantile of post-ReLU outputs (zeros included) taken as λ. */
  percentile: number;
  /** One λ per channel (axis 0) instead of one per site. */
  channelWise: boolean;
  /**
   * calibrationClip 'gamma' (design/conversion.md §9.3, the reference converter's behaviour): every
   * site's activation is clipped at this value (ANN units) during calibration, a_l = min(ReLU(z_l), c),
   * and later sites are computed from the clipped values. Absent: no clip (the default).
   */
  clipAt?: number;
}

/** λ per activation site: length 1 (layer-wise) or one per channel. */
export interface Calibration {
  readonly lambdas: ReadonlyMap<string, Float32Array>;
  readonly warnings: readonly string[];
}

/** One calibration batch: NCHW samples, row-major. */
export interface CalibrationBatch {
  readonly x: Float32Array;
  readonly batch: number;
}

/**
 * Percentile calibration (design/conversion.md §2.2): runs each batch through the folded ANN on
 * ONNX Runtime and, for every activation site l, takes the p-quantile of its post-ReLU outputs,
 * zeros included, over all N·C·H·W values (layer-wise) or over the N·H·W values of each channel
 * (channel-wise). λ_l is the running maximum over batches. Activations are not clipped unless
 * `clipAt` asks for it (§9.3). Guard: λ ≤ 0 (a dead site or channel) becomes 1, with a warning.
 */
export async function calibrate(graph: Graph, batches: Iterable<CalibrationBatch>, opts: CalibrationOptions, ortOpts: OrtOptions = {}): Promise<Calibration> {
  if (!(opts.percentile > 0 && opts.percentile <= 1)) throw new RangeError(`percentile must be in (0, 1], got ${opts.percentile}`);
  const lambdas = new Map<string, Float32Array>();
  for (const s of sites(graph)) lambdas.set(s.id, new Float32Array(opts.channelWise ? channels(s) : 1).fill(-Infinity));
  if (opts.clipAt !== undefined && !(opts.clipAt > 0)) throw new RangeError(`calibration clip must be > 0, got ${opts.clipAt}`);
  const clip = opts.clipAt;
  const clipSites = clip === undefined ? undefined : new Map(sites(graph).map((s) => [s.id, clip]));
  const ann = await AnnRunner.create(graph, { ...ortOpts, siteOutputs: true, ...(clipSites !== undefined ? { clipSites } : {}) });
  let count = 0;
  try {
    for (const { x, batch } of batches) {
      count++;
      const { sites: acts } = await ann.run(x, batch);
      for (const s of sites(graph)) {
        const lam = lambdas.get(s.id) as Float32Array;
        const a = acts.get(s.id) as Float32Array;
        const c = lam.length;
        for (let ch = 0; ch < c; ch++) {
          const q = quantileInPlace(c === 1 ? a : channelValues(a, batch, ch, channels(s), size(s.shape) / channels(s)), opts.percentile);
          if (q > (lam[ch] as number)) lam[ch] = q;
        }
      }
    }
  } finally {
    await ann.release();
  }
  if (count === 0) throw new RangeError('calibrate: no calibration batch');
  const warnings: string[] = [];
  for (const [site, lam] of lambdas) {
    let dead = 0;
    for (let i = 0; i < lam.length; i++) {
      if (!((lam[i] as number) > 0)) {
        lam[i] = 1;
        dead++;
      }
    }
    if (dead > 0) {
      warnings.push(
        lam.length === 1
          ? `site ${site}: percentile of activations is 0 (dead layer); λ set to 1`
          : `site ${site}: ${dead} of ${lam.length} channels have percentile 0 (dead); their λ set to 1`,
      );
    }
  }
  return { lambdas, warnings };
}

/** The N·H·W values of channel `ch` of an NCHW batch. */
function channelValues(a: Float32Array, batch: number, ch: number, c: number, inner: number): Float32Array {
  const out = new Float32Array(batch * inner);
  for (let b = 0; b < batch; b++) out.set(a.subarray((b * c + ch) * inner, (b * c + ch + 1) * inner), b * inner);
  return out;
}
