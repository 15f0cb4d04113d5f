// Writes a planned SNN (the engine's SnnPlan: rescaled weights, thresholds, factors) as a JSON
// description plus one float32 blob, for bench/torch_snn.py to run the same network in PyTorch.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SnnPlan } from '../src/engine/conversion/index.js';
import { isLinear, type GraphOp } from '../src/engine/ir/index.js';

interface Blob {
  parts: Float32Array[];
  offset: number;
}

function put(blob: Blob, a: Float32Array | null): [number, number] | null {
  if (a === null) return null;
  blob.parts.push(a);
  const at = blob.offset;
  blob.offset += a.length;
  return [at, a.length];
}

/** Op attributes without weights (those go to the blob). */
function attrs(op: GraphOp): Record<string, unknown> {
  const { kind: _kind, ...rest } = op as Record<string, unknown>;
  for (const k of ['weight', 'bias', 'scale', 'mean', 'variance']) delete rest[k];
  return rest;
}

/** Writes `<dir>/snn.json` and `<dir>/snn.bin`. */
export function writeSnnSpec(plan: SnnPlan, dir: string): void {
  const blob: Blob = { parts: [], offset: 0 };
  const pops = new Map(plan.populations.map((p) => [p.node.id, p]));
  const nodes = plan.graph.nodes.map((n) => {
    const lin = isLinear(n.op) ? plan.linear.get(n.id) : undefined;
    const theta = plan.scales.theta.get(n.id) ?? null;
    const pop = pops.get(n.id);
    return {
      // IF sites: 'state' (a spike counter N, also the accumulator of the LIPool that pools it), 'derived', 'none'.
      counted: pop?.counted ?? null,
      counter: pop?.countState === `${n.id}:n`,
      poolsCounter: plan.lipoolInput.get(n.id)?.endsWith(':n') === true,
      id: n.id,
      kind: n.op.kind,
      attrs: attrs(n.op),
      inputs: n.inputs,
      shape: n.shape,
      static: plan.isStatic.has(n.id),
      weight: lin ? { shape: lin.weight.shape, at: put(blob, lin.weight.data) } : null,
      bias: lin ? put(blob, lin.bias) : null,
      theta: n.op.kind === 'relu' ? put(blob, theta) : null,
      factors: (plan.scales.inputFactors.get(n.id) ?? []).map((f) => put(blob, f)),
    };
  });
  const spec = {
    input: plan.graph.input,
    output: plan.graph.output,
    options: plan.options,
    readout: put(blob, plan.readout),
    vInit: plan.states.filter((s) => s.name.endsWith(':v')).map((s) => ({ site: s.name.slice(0, -2), init: typeof s.init === 'number' ? s.init : put(blob, s.init) })),
    nodes,
  };
  const all = new Float32Array(blob.offset);
  let o = 0;
  for (const p of blob.parts) {
    all.set(p, o);
    o += p.length;
  }
  writeFileSync(path.join(dir, 'snn.json'), JSON.stringify(spec));
  writeFileSync(path.join(dir, 'snn.bin'), new Uint8Array(all.buffer));
}
