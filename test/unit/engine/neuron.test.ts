import * as ort from 'onnxruntime-node';
import { emitIfStep, type IfParams } from '../../../src/engine/conversion/index.js';
import { OnnxGraph } from '../../../src/engine/ort/index.js';

/** T steps of the engine's IF nodes on a constant input z [1, C, n] from V = v0: spikes per step, final V and N. */
async function simulate(z: number[][], p: Omit<IfParams, 'shape' | 'key'>, steps: number, v0: number[][] = z.map((r) => r.map(() => 0))): Promise<{ s: number[][][]; v: Float32Array; n: Float32Array }> {
  const c = z.length;
  const n = z[0]!.length;
  const g = new OnnxGraph('test');
  const zIn = g.input('z', [1, c, n]);
  let v = g.input('v0', [1, c, n]);
  let count: string | null = g.constant(new Float32Array(c * n), [1, c, n]);
  for (let t = 0; t < steps; t++) {
    const r = emitIfStep(g, v, zIn, { ...p, shape: [c, n], key: 'pop' }, count);
    v = r.v;
    count = r.n;
    g.output(r.s, `s${t}`, [1, c, n]);
  }
  g.output(v, 'v', [1, c, n]);
  g.output(count!, 'n', [1, c, n]);
  const session = await ort.InferenceSession.create(g.encode(), { intraOpNumThreads: 1 });
  const out = await session.run({ z: new ort.Tensor('float32', Float32Array.from(z.flat()), [1, c, n]), v0: new ort.Tensor('float32', Float32Array.from(v0.flat()), [1, c, n]) });
  await session.release();
  const rows = (a: Float32Array): number[][] => Array.from({ length: c }, (_, k) => Array.from(a.subarray(k * n, (k + 1) * n)));
  return { s: Array.from({ length: steps }, (_, t) => rows(out[`s${t}`]!.data as Float32Array)), v: out['v']!.data as Float32Array, n: out['n']!.data as Float32Array };
}

describe('IF-burst neurons (the emitted ONNX nodes)', () => {
  const xs = [-1, -0.1, 0, 0.013, 0.1, 0.37, 0.5, 0.99, 1, 1.7, 2.49, 2.5, 3, 10];
  for (const [theta, gamma] of [[0.5, 5], [1, 1], [0.25, 3]] as const) {
    for (const steps of [7, 32]) {
      it(`mean emitted value s·θ → clip(x, 0, Γθ) within θ/T (θ=${theta}, Γ=${gamma}, T=${steps})`, async () => {
        const r = await simulate([xs], { gamma, reset: 'subtract', theta: Float32Array.of(theta) }, steps);
        xs.forEach((x, i) => {
          const mean = (r.s.reduce((a, s) => a + s[0]![i]!, 0) * theta) / steps;
          const target = Math.min(Math.max(x, 0), gamma * theta);
          expect(Math.abs(mean - target)).toBeLessThanOrEqual(theta / steps + 1e-5);
          expect(r.n[i]).toBe(r.s.reduce((a, s) => a + s[0]![i]!, 0));
        });
      });
    }
  }

  it('emits at most Γ spikes per step and keeps the residue (θ = 1)', async () => {
    const r = await simulate([[0.5, 1.5, 4.2, 9]], { gamma: 5, reset: 'subtract', theta: null }, 1);
    expect(r.s[0]).toEqual([[0, 1, 4, 5]]);
    [0.5, 0.5, 0.2, 4].forEach((e, i) => expect(r.v[i]).toBeCloseTo(e, 5));
  });

  it('hard reset sets the membrane to 0 after any spike (and keeps it otherwise)', async () => {
    const r = await simulate([[0.2, 2.9, 0.5]], { gamma: 5, reset: 'zero', theta: null }, 1, [[0.3, 0.3, -1]]);
    expect(r.s[0]).toEqual([[0, 3, 0]]);
    [0.5, 0, -0.5].forEach((e, i) => expect(r.v[i]).toBeCloseTo(e, 5));
    // It loses the residue: a constant 1.5 fires 1 spike per step, not 1.5 on average.
    const h = await simulate([[1.5]], { gamma: 5, reset: 'zero', theta: null }, 64);
    expect(h.n[0]).toBe(64);
    const s = await simulate([[1.5]], { gamma: 5, reset: 'subtract', theta: null }, 64);
    expect(s.n[0]).toBe(96);
  });

  it('per-channel θ applies along axis 1 of [N, C, …]', async () => {
    const r = await simulate([[3, 3], [1, 1]], { gamma: 5, reset: 'subtract', theta: Float32Array.of(1, 2) }, 1);
    expect(r.s[0]).toEqual([[3, 3], [0, 0]]);
    const r2 = await simulate([[3, 3], [4.5, 4.5]], { gamma: 5, reset: 'subtract', theta: Float32Array.of(1, 2) }, 1);
    expect(r2.s[0]).toEqual([[3, 3], [2, 2]]);
    [0, 0, 0.5, 0.5].forEach((e, i) => expect(r2.v[i]).toBeCloseTo(e, 5));
  });
});
