import * as tf from '@tensorflow/tfjs-core';
import { AnnExecutor } from './forward.js';
import { channels, sites, type Graph } from './graph.js';
import { quantileInPlace } from './percentile.js';

export interface CalibrationOptions {
  /** p in (0, 1]: the quantile of post-ReLU outputs (zeros included) taken as λ. */
  percentile: number;
  /** One λ per channel (last axis) instead of one per site. */
  channelWise: boolean;
}

/** λ per activation site: length 1 (layer-wise) or one per channel. */
export interface Calibration {
  readonly lambdas: ReadonlyMap<string, Float32Array>;
  readonly warnings: readonly string[];
}

/**
 * Percentile calibration (design/conversion.md §2.2): runs each batch through the folded ANN and,
 * for every activation site l, takes the p-quantile of its post-ReLU outputs, zeros included,
 * over all N·H·W·C values (layer-wise) or over the N·H·W values of each channel (channel-wise).
 * λ_l is the running maximum over batches. Raw activations are never clipped first (§9.3).
 * Guard: λ ≤ 0 (a dead site or channel) becomes 1, with a warning.
 */
export function calibrate(graph: Graph, batches: Iterable<tf.Tensor>, opts: CalibrationOptions): Calibration {
  if (!(opts.percentile > 0 && opts.percentile <= 1)) throw new RangeError(`percentile must be in (0, 1], got ${opts.percentile}`);
  const lambdas = new Map<string, Float32Array>();
  for (const s of sites(graph)) {
    lambdas.set(s.id, new Float32Array(opts.channelWise ? channels(s) : 1).fill(-Infinity));
  }
  const ann = new AnnExecutor(graph);
  let count = 0;
  try {
    for (const x of batches) {
      count++;
      tf.tidy(() => {
        const y = ann.forward(x, (site, a) => {
          const lam = lambdas.get(site) as Float32Array;
          const data = a.dataSync() as Float32Array;
          const c = lam.length;
          for (let ch = 0; ch < c; ch++) {
            const q = quantileInPlace(c === 1 ? data.slice() : strided(data, ch, c), opts.percentile);
            if (q > (lam[ch] as number)) lam[ch] = q;
          }
        });
        y.dispose();
      });
    }
  } finally {
    ann.dispose();
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

function strided(data: Float32Array, offset: number, step: number): Float32Array {
  const out = new Float32Array(Math.floor((data.length - offset + step - 1) / step));
  for (let i = 0, j = offset; j < data.length; i++, j += step) out[i] = data[j] as number;
  return out;
}
