import { size, type Graph } from '../ir/graph.js';
import { InvalidConversionInputError } from '../errors.js';
import { ANN_INPUT, ANN_OUTPUT, emitAnn, type AnnEmitOptions } from './emit-ann.js';
import { createSession, resolveBackend, tensor, type OrtOptions, type OrtSession, type ResolvedBackend, type ort } from './session.js';

export interface AnnResult {
  /** [batch, ...output shape], row-major. */
  readonly output: Float32Array;
  /** Post-ReLU values per activation site (only with siteOutputs), [batch, ...site shape]. */
  readonly sites: ReadonlyMap<string, Float32Array>;
}

/**
 * An IR v2 graph's ANN on ONNX Runtime. Inputs are NCHW batches: `batch` samples of the graph
 * input's per-sample shape, row-major. Call release() when done.
 */
export class AnnRunner {
  private constructor(
    readonly graph: Graph,
    readonly backend: ResolvedBackend,
    private readonly session: OrtSession,
    private readonly siteOutputs: ReadonlyMap<string, string>,
  ) {}

  static async create(graph: Graph, opts: OrtOptions & AnnEmitOptions = {}): Promise<AnnRunner> {
    const backend = resolveBackend(opts);
    const emitted = emitAnn(graph, opts);
    const session = await createSession(emitted.bytes, backend);
    return new AnnRunner(graph, backend, session, emitted.siteOutputs);
  }

  /** Per-sample input shape, e.g. [C, H, W]. */
  get inputShape(): readonly number[] {
    const n = this.graph.nodes.find((m) => m.id === this.graph.input);
    return n?.shape ?? [];
  }

  /** y = ANN(x) and, when the runner was made with siteOutputs, every site's activation. */
  async run(x: Float32Array, batch: number): Promise<AnnResult> {
    const shape = this.inputShape;
    if (!Number.isInteger(batch) || batch < 1 || x.length !== batch * size(shape)) {
      throw new InvalidConversionInputError(`ANN input holds ${x.length} values, expected ${batch} × [${shape.join(', ')}]`);
    }
    const out = await this.session.run({ [ANN_INPUT]: tensor(x, [batch, ...shape]) });
    const read = (name: string): Float32Array => (out[name] as ort.Tensor).data as Float32Array;
    const sites = new Map<string, Float32Array>();
    for (const [site, name] of this.siteOutputs) sites.set(site, read(name));
    return { output: read(ANN_OUTPUT), sites };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** One-shot ANN evaluation of a batch (NCHW): creates a session, runs it, releases it. */
export async function runAnn(graph: Graph, x: Float32Array, batch: number, opts: OrtOptions = {}): Promise<Float32Array> {
  const runner = await AnnRunner.create(graph, opts);
  try {
    return (await runner.run(x, batch)).output;
  } finally {
    await runner.release();
  }
}
