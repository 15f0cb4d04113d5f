// An independent reference of the conversion method for small Sequential tfjs models, written
// plainly from design/conversion.md in float64: NHWC data and tfjs weight layouts as they are (no
// IR, no ONNX, no normalised formulation), IF sites with θ_l = λ_l emitting λ_l per spike, LIPool
// as literal per-window accumulators, and synapses counted by enumerating connections.
import type * as tfl from '@tensorflow/tfjs-layers';

type Shape = [number, number, number];

type Layer =
  | { kind: 'conv'; w: Float32Array; b: Float32Array | null; k: [number, number]; s: number; same: boolean; inS: Shape; outS: Shape }
  | { kind: 'dense'; w: Float32Array; b: Float32Array | null; fin: number; fout: number }
  | { kind: 'relu'; theta: Float64Array; n: number; c: number }
  | { kind: 'pool'; k: number; inS: Shape; outS: Shape }
  | { kind: 'flatten' };

export interface ReferenceResult {
  /** Σ_{τ≤t} output_τ per sample after each step: [t][sample·classes]. */
  acc: Float64Array[];
  /** Spikes per population (sites and pools in layer order), summed over samples and steps. */
  spikes: number[];
  /** Synaptic operations per population, summed over samples: Σ spikes × synapses of that neuron. */
  sops: number[];
}

/** Reads a Sequential model's layers; `lambdas` gives λ per site in order (length 1 or one per channel). */
export function referenceLayers(model: tfl.LayersModel, lambdas: readonly Float32Array[]): Layer[] {
  const out: Layer[] = [];
  let shape = (model.inputs[0]!.shape.slice(1) as number[]).slice();
  let site = 0;
  const relu = (n: number, c: number): Layer => {
    const lam = lambdas[site++]!;
    return { kind: 'relu', theta: Float64Array.from({ length: c }, (_, i) => lam[lam.length === 1 ? 0 : i]!), n, c };
  };
  for (const l of model.layers) {
    const cfg = l.getConfig() as Record<string, unknown>;
    const ws = l.getWeights().map((t) => t.dataSync() as Float32Array);
    const outShape = (l.outputShape as number[]).slice(1);
    switch (l.getClassName()) {
      case 'Conv2D': {
        const k = cfg['kernelSize'] as [number, number];
        out.push({ kind: 'conv', w: ws[0]!, b: ws[1] ?? null, k, s: (cfg['strides'] as number[])[0]!, same: cfg['padding'] === 'same', inS: shape as Shape, outS: outShape as Shape });
        if (cfg['activation'] === 'relu') out.push(relu(outShape.reduce((a, b) => a * b, 1), outShape[2]!));
        break;
      }
      case 'Dense':
        out.push({ kind: 'dense', w: ws[0]!, b: ws[1] ?? null, fin: shape[0]!, fout: outShape[0]! });
        if (cfg['activation'] === 'relu') out.push(relu(outShape[0]!, outShape[0]!));
        break;
      case 'ReLU':
        out.push(relu(outShape.reduce((a, b) => a * b, 1), outShape[outShape.length - 1]!));
        break;
      case 'MaxPooling2D':
        out.push({ kind: 'pool', k: (cfg['poolSize'] as number[])[0]!, inS: shape as Shape, outS: outShape as Shape });
        break;
      case 'Flatten':
        out.push({ kind: 'flatten' });
        break;
      default:
        throw new Error(`reference: no ${l.getClassName()}`);
    }
    shape = outShape;
  }
  return out;
}

/** tf 'same' leading pad of one axis. */
function lead(n: number, k: number, s: number): number {
  const o = Math.ceil(n / s);
  return Math.floor(Math.max((o - 1) * s + k - n, 0) / 2);
}

function conv(l: Extract<Layer, { kind: 'conv' }>, x: Float64Array): Float64Array {
  const [h, w, ci] = l.inS;
  const [oh, ow, co] = l.outS;
  const [kh, kw] = l.k;
  const pt = l.same ? lead(h, kh, l.s) : 0;
  const pl = l.same ? lead(w, kw, l.s) : 0;
  const y = new Float64Array(oh * ow * co);
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      for (let o = 0; o < co; o++) {
        let sum = l.b?.[o] ?? 0;
        for (let i = 0; i < kh; i++) {
          const r = oy * l.s - pt + i;
          if (r < 0 || r >= h) continue;
          for (let j = 0; j < kw; j++) {
            const c = ox * l.s - pl + j;
            if (c < 0 || c >= w) continue;
            for (let q = 0; q < ci; q++) sum += x[(r * w + c) * ci + q]! * l.w[((i * kw + j) * ci + q) * co + o]!;
          }
        }
        y[(oy * ow + ox) * co + o] = sum;
      }
    }
  }
  return y;
}

/** Synapses of every input neuron of a linear layer, by enumerating its connections. */
function synapses(l: Layer): Float64Array | null {
  if (l.kind === 'dense') return new Float64Array(l.fin).fill(l.fout);
  if (l.kind !== 'conv') return null;
  const [h, w, ci] = l.inS;
  const [oh, ow, co] = l.outS;
  const [kh, kw] = l.k;
  const pt = l.same ? lead(h, kh, l.s) : 0;
  const pl = l.same ? lead(w, kw, l.s) : 0;
  const count = new Float64Array(h * w * ci);
  for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
    const r = oy * l.s - pt + i;
    const c = ox * l.s - pl + j;
    if (r >= 0 && r < h && c >= 0 && c < w) for (let q = 0; q < ci; q++) count[(r * w + c) * ci + q] = count[(r * w + c) * ci + q]! + co;
  }
  return count;
}

/** Simulates `samples` inputs (NHWC rows) for T steps with Γ, reset by subtraction (or to zero) and V₀ = vInit·θ. */
export function referenceSimulate(layers: Layer[], x: Float32Array, samples: number, steps: number, gamma: number, vInit = 0, reset: 'subtract' | 'zero' = 'subtract'): ReferenceResult {
  const per = x.length / samples;
  const pops = layers.filter((l) => l.kind === 'relu' || l.kind === 'pool');
  const spikes = pops.map(() => 0);
  const sops = pops.map(() => 0);
  // Synapses of a population's neurons: those of the next linear layer (through a flatten), 0 at another population.
  const fan = layers.map((l, i) => {
    if (l.kind !== 'relu' && l.kind !== 'pool') return null;
    for (let k = i + 1; k < layers.length; k++) {
      const next = layers[k]!;
      if (next.kind === 'flatten') continue;
      return synapses(next);
    }
    return null;
  });
  const acc: Float64Array[] = [];
  for (let t = 0; t < steps; t++) acc.push(new Float64Array(0));
  const outputs: Float64Array[][] = [];
  for (let n = 0; n < samples; n++) {
    const input = Float64Array.from(x.subarray(n * per, (n + 1) * per));
    const V = layers.map((l) => (l.kind === 'relu' ? Float64Array.from({ length: l.n }, (_, i) => vInit * l.theta[i % l.c]!) : null));
    const R = layers.map(() => new Map<string, number>());
    let sum: Float64Array | null = null;
    const perStep: Float64Array[] = [];
    for (let t = 0; t < steps; t++) {
      let v: Float64Array = input;
      let pop = 0;
      layers.forEach((l, i) => {
        if (l.kind === 'conv') v = conv(l, v);
        else if (l.kind === 'dense') {
          const y = new Float64Array(l.fout);
          for (let o = 0; o < l.fout; o++) {
            let s = l.b?.[o] ?? 0;
            for (let q = 0; q < l.fin; q++) s += v[q]! * l.w[q * l.fout + o]!;
            y[o] = s;
          }
          v = y;
        } else if (l.kind === 'relu') {
          const m = V[i]!;
          const y = new Float64Array(l.n);
          for (let q = 0; q < l.n; q++) {
            const th = l.theta[q % l.c]!;
            m[q] = m[q]! + v[q]!;
            const s = Math.min(Math.max(Math.floor(m[q]! / th), 0), gamma);
            m[q] = reset === 'zero' ? (s > 0 ? 0 : m[q]!) : m[q]! - s * th;
            y[q] = s * th;
            spikes[pop] = spikes[pop]! + s;
            sops[pop] = sops[pop]! + s * (fan[i]?.[q] ?? 0);
          }
          v = y;
          pop++;
        } else if (l.kind === 'pool') {
          const [h, w, c] = l.inS;
          const [oh, ow] = l.outS;
          const y = new Float64Array(oh * ow * c);
          for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let q = 0; q < c; q++) {
            const keys: string[] = [];
            for (let a = 0; a < l.k; a++) for (let b = 0; b < l.k; b++) {
              const r = oy * l.k + a;
              const cc = ox * l.k + b;
              if (r >= h || cc >= w) continue;
              const key = `${oy},${ox},${q},${r},${cc}`;
              R[i]!.set(key, (R[i]!.get(key) ?? 0) + v[(r * w + cc) * c + q]!);
              keys.push(key);
            }
            const mx = Math.max(...keys.map((key) => R[i]!.get(key)!));
            for (const key of keys) R[i]!.set(key, R[i]!.get(key)! - mx);
            const o = (oy * ow + ox) * c + q;
            y[o] = mx;
            // Spikes of a pool neuron: its output in units of the site feeding it.
            const src = layers[i - 1];
            const th = src?.kind === 'relu' ? src.theta[q]! : 1;
            spikes[pop] = spikes[pop]! + mx / th;
            sops[pop] = sops[pop]! + (mx / th) * (fan[i]?.[o] ?? 0);
          }
          v = y;
          pop++;
        }
      });
      sum = sum === null ? Float64Array.from(v) : sum.map((a, q) => a + v[q]!);
      perStep.push(sum);
    }
    outputs.push(perStep);
  }
  for (let t = 0; t < steps; t++) acc[t] = Float64Array.from(outputs.flatMap((o) => Array.from(o[t]!)));
  return { acc, spikes, sops };
}
