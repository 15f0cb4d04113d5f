import { isLinear, type Graph } from '../ir/graph.js';
import { emitLinear, emitStateless } from './emit-ops.js';
import { OnnxGraph } from './proto.js';

/** Graph input and output names of every emitted ANN. */
export const ANN_INPUT = 'input';
export const ANN_OUTPUT = 'output';

export interface AnnEmitOptions {
  /** Also output every activation site's post-ReLU value, as `site:<id>` (percentile calibration). */
  siteOutputs?: boolean;
  /**
   * Calibration hook (design/conversion.md §9.3, an explicit option only): clip the named sites'
   * activations at the given value, so that later sites see the clipped values too.
   */
  clipSites?: ReadonlyMap<string, number>;
}

export interface EmittedAnn {
  readonly bytes: Uint8Array;
  /** Output name per activation site (when siteOutputs). */
  readonly siteOutputs: ReadonlyMap<string, string>;
}

/**
 * The ANN of an IR v2 graph as an ONNX model: input `input` [N, ...graph input shape] (NCHW),
 * output `output` [N, ...graph output shape]. Every IR node becomes the ONNX op(s) of the same
 * meaning (batch-norm stays a BatchNormalization: fold it first for the converter's ANN).
 */
export function emitAnn(graph: Graph, opts: AnnEmitOptions = {}): EmittedAnn {
  const g = new OnnxGraph('spikelab_ann');
  const values = new Map<string, string>();
  const siteOutputs = new Map<string, string>();
  for (const n of graph.nodes) {
    const xs = n.inputs.map((i) => {
      const v = values.get(i);
      if (v === undefined) throw new Error(`emitAnn: node '${n.id}' reads '${i}' before it is computed`);
      return v;
    });
    let y: string;
    if (n.op.kind === 'input') {
      y = g.input(ANN_INPUT, ['N', ...n.shape]);
    } else if (isLinear(n.op)) {
      y = emitLinear(g, n, n.op, xs[0] as string);
    } else {
      y = emitStateless(g, n, xs);
      const clip = n.op.kind === 'relu' ? opts.clipSites?.get(n.id) : undefined;
      if (clip !== undefined) y = g.op('Clip', [y, g.scalar(0), g.scalar(clip)]);
    }
    values.set(n.id, y);
    if (opts.siteOutputs === true && n.op.kind === 'relu') {
      const name = `site:${n.id}`;
      siteOutputs.set(n.id, g.output(y, name, ['N', ...n.shape]));
    }
  }
  const out = graph.nodes.find((n) => n.id === graph.output);
  if (out === undefined) throw new Error(`emitAnn: output node '${graph.output}' is not in the graph`);
  g.output(values.get(out.id) as string, ANN_OUTPUT, ['N', ...out.shape]);
  return { bytes: g.encode({ docString: 'Spikelab ANN (NCHW input)' }), siteOutputs };
}
