import { ANALOG_HEAD_INPUT, ANALOG_HEAD_OUTPUT, size, type AnalogHead, type GraphNode } from '../ir/graph.js';
import { createBlockedSession, createSession, resolveBackend, tensor, type ort, type OrtOptions, type OrtSession, type ResolvedBackend } from '../ort/session.js';
import { emitStaticGraph, emitStepGraph, emitTotalsGraph, SNN_NAMES } from './emit-snn.js';
import type { PopulationSpec, SnnPlan, StateSpec } from './snn-plan.js';

/** The most steps unrolled in one ONNX Runtime call. */
export const MAX_STEPS_PER_CALL = 32;
/**
 * Work per call (multiply-accumulates) above which fewer steps are unrolled: a call takes seconds,
 * not minutes, so cancellation and progress stay prompt (a call cannot be interrupted). 1.2e12 is
 * about 7 s on this 2-core machine (ResNet-18 ×1, 64 images, 32 steps) and under a second on 16
 * cores. Each call pays for bringing the states in and out (ORT's layout reorders, the binding's
 * copies): that ResNet-18 ran 249 / 240 / 233 ms a step at 8 / 16 / 32 steps per call (the bound was
 * 3e11, K = 8, before).
 */
export const MACS_PER_CALL = 1.2e12;

/**
 * K, the steps per call: as many as MAX_STEPS_PER_CALL and the MACS_PER_CALL budget allow (each
 * call pays for bringing the states in and out, so more steps per call run faster), then evened
 * out over the ⌈T/K⌉ calls so that no short last call needs a graph of its own. Per-step results
 * do not depend on K.
 */
export function chooseStepsPerCall(timeSteps: number, macsPerStep: number): number {
  const kMax = Math.max(1, Math.min(MAX_STEPS_PER_CALL, Math.floor(MACS_PER_CALL / Math.max(macsPerStep, 1))));
  return Math.ceil(timeSteps / Math.ceil(timeSteps / kMax));
}

/**
 * State bytes (V, counters, pool accumulators: 4 bytes a value) of one simulated chunk of a batch,
 * per CPU thread. A step reads and writes every state once or more, so a chunk whose states stay
 * in the caches runs its K unrolled steps without memory traffic; a large batch whose states do
 * not is slower per sample on one thread (measured here: 1.4× at 1 024 samples of a small CNN,
 * 1.5× at 100 of a Fashion-MNIST VGG) and slows a second process on the other core too. With more
 * threads a chunk must stay large enough to share out (MIN_CHUNK_SAMPLES per thread). Conversion
 * on the CPU simulates a test batch in equal chunks no larger than this (simulationChunk);
 * metrics and commits stay per batch.
 */
export const CHUNK_STATE_BYTES = 4 << 20;
/** No chunk is smaller than this many samples per thread (per-call and per-op overheads), unless the batch is. */
export const MIN_CHUNK_SAMPLES = 16;

/** Bytes of state one sample of `plan` carries between steps. */
export function stateBytesPerSample(plan: Pick<SnnPlan, 'states'>): number {
  return 4 * plan.states.reduce((a, s) => a + size(s.shape), 0);
}

/**
 * Samples per simulated chunk of a `batch`-sample test batch on `threads` CPU threads: the whole
 * batch when its states fit CHUNK_STATE_BYTES per thread (or it is no larger than
 * MIN_CHUNK_SAMPLES per thread, or `minimum`), else the size of equal chunks no larger than what
 * fits.
 */
export function simulationChunk(plan: Pick<SnnPlan, 'states'>, batch: number, threads = 1, minimum = 1): number {
  const t = Math.max(1, threads);
  const fit = Math.max(MIN_CHUNK_SAMPLES * t, minimum, Math.floor((CHUNK_STATE_BYTES * t) / Math.max(1, stateBytesPerSample(plan))));
  if (fit >= batch) return batch;
  return Math.ceil(batch / Math.ceil(batch / fit));
}

/** `indices` cut into consecutive parts of at most `chunk`, with each part's offset in the batch. */
export function chunksOf(indices: readonly number[], chunk: number): { offset: number; indices: number[] }[] {
  const out: { offset: number; indices: number[] }[] = [];
  for (let i = 0; i < indices.length; i += chunk) out.push({ offset: i, indices: indices.slice(i, i + chunk) });
  return out;
}

export interface SnnRuntimeOptions extends OrtOptions {
  /** K: time steps per ONNX Runtime call (≥ 1); default MAX_STEPS_PER_CALL. */
  stepsPerCall?: number;
  /**
   * A hybrid model's analog head: after every step t, y_t = head(Σ_{τ≤t} out_τ / t), the head on the
   * running mean of the body's output (ANN units); run() then returns t·y_t, so that "divide by t"
   * still gives the step's prediction.
   */
  head?: AnalogHead | null;
}

/**
 * A planned SNN on ONNX Runtime. reset(x) starts a batch: every state to its initial value, the
 * input-only part evaluated once. run(k) advances k ≤ K steps in one call and returns
 * Σ_{τ≤t} output_τ (ANN units; for a sigmoid head, Σ of probabilities) after each of them. States
 * stay ONNX Runtime tensors between calls. Spike totals per population accumulate over batches.
 */
export class SpikingNetwork {
  private stepSessions = new Map<number, OrtSession>();
  private statics: Record<string, ort.Tensor> = {};
  private states = new Map<string, ort.Tensor>();
  /** Preallocated tensors the next call writes the new states into (double buffering: no copies). */
  private spare = new Map<string, ort.Tensor>();
  /** Preallocated tensors the static graph writes into. */
  private staticBuffers: Record<string, ort.Tensor> = {};
  /** The buffers of the last two batch sizes (a batch in equal chunks, then a shorter last one). */
  private readonly buffersBySize = new Map<number, { states: Map<string, ort.Tensor>; spare: Map<string, ort.Tensor>; statics: Record<string, ort.Tensor> }>();
  private batchSize = 0;
  private tStep = 0;
  /** The current batch's counters are already in the totals (no more steps until the next reset). */
  private folded = true;
  private readonly totals = new Map<string, Float64Array>();
  /** Plans with sampleSops: each sample's SOPs in each step of the last run() call ([batch] per step). */
  stepSops: readonly Float32Array[] = [];
  /** batchTotals of the current batch at step t (read once per step). */
  private lastTotals: { t: number; totals: ReadonlyMap<string, Float32Array> } | null = null;

  private constructor(
    readonly plan: SnnPlan,
    readonly backend: ResolvedBackend,
    readonly stepsPerCall: number,
    private readonly staticSession: OrtSession,
    private readonly totalsSession: OrtSession | null,
    private readonly headSession: OrtSession | null = null,
  ) {}

  static async create(plan: SnnPlan, opts: SnnRuntimeOptions = {}): Promise<SpikingNetwork> {
    const k = opts.stepsPerCall ?? MAX_STEPS_PER_CALL;
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`stepsPerCall must be an integer ≥ 1, got ${k}`);
    const backend = resolveBackend(opts);
    const counted = plan.populations.some((p) => p.counted !== 'none');
    const totals = counted ? await createSession(emitTotalsGraph(plan), backend) : null;
    const head = opts.head ? await createSession(opts.head.model, backend) : null;
    const net = new SpikingNetwork(plan, backend, k, await createSession(emitStaticGraph(plan), backend), totals, head);
    net.stepSessions.set(k, await createBlockedSession(emitStepGraph(plan, k), backend));
    return net;
  }

  get populations(): readonly PopulationSpec[] {
    return this.plan.populations;
  }

  /** Steps simulated since the last reset. */
  get t(): number {
    return this.tStep;
  }

  /** Starts a batch of `batch` samples (x: NCHW, row-major): initial states, input-only part once. */
  async reset(x: Float32Array, batch: number): Promise<void> {
    await this.foldCounts();
    const inShape = (this.plan.graph.nodes.find((n) => n.id === this.plan.graph.input) as GraphNode).shape;
    if (x.length !== batch * size(inShape)) throw new RangeError(`SNN input holds ${x.length} values, expected ${batch} × [${inShape.join(', ')}]`);
    // Every batch of one size reuses the same buffers: fresh ones would be mapped page by page
    // while the first step reads them (each reset would pay that again, as part of the step).
    if (this.batchSize !== batch || this.spare.size === 0) {
      if (this.batchSize > 0) this.buffersBySize.set(this.batchSize, { states: this.states, spare: this.spare, statics: this.staticBuffers });
      const kept = this.buffersBySize.get(batch);
      if (kept !== undefined) {
        this.buffersBySize.delete(batch);
        ({ states: this.states, spare: this.spare, statics: this.staticBuffers } = kept);
      } else {
        const zeros = (shape: readonly number[]): ort.Tensor => tensor(new Float32Array(batch * size(shape)), [batch, ...shape]);
        this.spare = new Map(this.plan.states.map((s) => [s.name, zeros(s.shape)]));
        this.states = new Map(this.plan.states.map((s) => [s.name, zeros(s.shape)]));
        const byId = new Map(this.plan.graph.nodes.map((n) => [n.id, n]));
        this.staticBuffers = Object.fromEntries(this.plan.staticOutputs.map((id) => [SNN_NAMES.static(id), zeros((byId.get(id) as GraphNode).shape)]));
      }
      // at most one other size is kept
      for (const k of [...this.buffersBySize.keys()].slice(0, -1)) this.buffersBySize.delete(k);
    }
    await this.staticSession.run({ [SNN_NAMES.input]: tensor(x, [batch, ...inShape]) }, { ...this.staticBuffers });
    this.statics = { ...this.staticBuffers };
    for (const s of this.plan.states) fillInitialState(s, (this.states.get(s.name) as ort.Tensor).data as Float32Array);
    this.batchSize = batch;
    this.tStep = 0;
    this.folded = false;
    this.lastTotals = null;
  }

  /** Advances `steps` (1..K) time steps in one call; returns the accumulated output after each. */
  async run(steps: number): Promise<Float32Array[]> {
    if (this.folded) throw new Error('SpikingNetwork.run before reset (or after spikeTotals)');
    if (!Number.isInteger(steps) || steps < 1 || steps > this.stepsPerCall) throw new RangeError(`steps must be in 1..${this.stepsPerCall}, got ${steps}`);
    let session = this.stepSessions.get(steps);
    if (session === undefined) {
      session = await createBlockedSession(emitStepGraph(this.plan, steps), this.backend);
      this.stepSessions.set(steps, session);
    }
    const feeds: Record<string, ort.Tensor> = { ...this.statics };
    for (const [name, t] of this.states) feeds[SNN_NAMES.state(name)] = t;
    const fetches: Record<string, ort.Tensor | null> = {};
    for (let k = 1; k <= steps; k++) fetches[SNN_NAMES.output(k)] = null;
    if (this.plan.fanouts !== null) for (let k = 1; k <= steps; k++) fetches[SNN_NAMES.sops(k)] = null;
    for (const [name, t] of this.spare) fetches[SNN_NAMES.next(name)] = t;
    const out = await session.run(feeds, fetches);
    const previous = this.states;
    this.states = this.spare;
    this.spare = previous;
    this.tStep += steps;
    this.stepSops = this.plan.fanouts === null ? [] : Array.from({ length: steps }, (_, i) => (out[SNN_NAMES.sops(i + 1)] as ort.Tensor).data as Float32Array);
    const accs = Array.from({ length: steps }, (_, i) => (out[SNN_NAMES.output(i + 1)] as ort.Tensor).data as Float32Array);
    return this.headSession === null ? accs : this.runHead(accs, this.tStep - steps);
  }

  /** The analog head on the running means after steps t0 + 1 … t0 + k, in one call (the k steps stacked on the batch axis), times t. */
  private async runHead(accs: readonly Float32Array[], t0: number): Promise<Float32Array[]> {
    const session = this.headSession as OrtSession;
    const outShape = (this.plan.graph.nodes.find((n) => n.id === this.plan.graph.output) as GraphNode).shape;
    const per = accs[0]?.length ?? 0;
    const x = new Float32Array(per * accs.length);
    accs.forEach((a, i) => {
      const inv = 1 / (t0 + i + 1);
      for (let j = 0; j < per; j++) x[i * per + j] = (a[j] as number) * inv;
    });
    const out = await session.run({ [ANALOG_HEAD_INPUT]: tensor(x, [accs.length * this.batchSize, ...outShape]) });
    const y = (out[ANALOG_HEAD_OUTPUT] as ort.Tensor).data as Float32Array;
    const n = y.length / accs.length;
    return accs.map((_, i) => {
      const r = y.slice(i * n, (i + 1) * n);
      const t = t0 + i + 1;
      for (let j = 0; j < n; j++) r[j] = (r[j] as number) * t;
      return r;
    });
  }

  /**
   * Spikes emitted so far by each neuron of a population, summed over samples and batches (null:
   * counting off). Ends the current batch: the next step needs a reset.
   */
  async spikeTotals(p: PopulationSpec): Promise<Float64Array | null> {
    await this.foldCounts();
    return p.counted === 'none' ? null : (this.totals.get(p.node.id) ?? new Float64Array(size(p.node.shape)));
  }

  /**
   * The current batch's spikes per neuron of every counted population since its reset, summed over
   * the batch (counters, or derived from the states: exact at any step, see emitTotalsGraph). The
   * batch goes on; empty when counting is off.
   */
  async batchTotals(): Promise<ReadonlyMap<string, Float32Array>> {
    if (this.totalsSession === null || this.folded) return new Map();
    if (this.lastTotals?.t === this.tStep) return this.lastTotals.totals;
    const feeds: Record<string, ort.Tensor> = { ...this.statics, [SNN_NAMES.steps]: tensor(Float32Array.of(this.tStep), [1]) };
    for (const [name, t] of this.states) feeds[SNN_NAMES.state(name)] = t;
    const out = await this.totalsSession.run(feeds);
    const totals = new Map<string, Float32Array>();
    for (const p of this.plan.populations) {
      if (p.counted !== 'none') totals.set(p.node.id, (out[SNN_NAMES.total(p.node.id)] as ort.Tensor).data as Float32Array);
    }
    this.lastTotals = { t: this.tStep, totals };
    return totals;
  }

  /** Adds the current batch's spike totals to the totals, once per batch. */
  private async foldCounts(): Promise<void> {
    if (this.folded) return;
    const batch = await this.batchTotals();
    this.folded = true;
    this.lastTotals = null;
    for (const [id, data] of batch) {
      let acc = this.totals.get(id);
      if (acc === undefined) {
        acc = new Float64Array(data.length);
        this.totals.set(id, acc);
      }
      for (let i = 0; i < data.length; i++) acc[i] = (acc[i] as number) + (data[i] as number);
    }
  }

  async release(): Promise<void> {
    await this.staticSession.release();
    await this.totalsSession?.release();
    await this.headSession?.release();
    for (const s of this.stepSessions.values()) await s.release();
    this.stepSessions.clear();
  }
}

/** A state's value after a reset, for `batch` samples. */
export function initialState(s: StateSpec, batch: number): Float32Array {
  return fillInitialState(s, new Float32Array(batch * size(s.shape)));
}

/** Writes a state's value after a reset into `out` (a whole number of samples) and returns it. */
export function fillInitialState(s: StateSpec, out: Float32Array): Float32Array {
  if (typeof s.init === 'number') return out.fill(s.init);
  const per = size(s.shape);
  const inner = per / s.init.length;
  for (let b = 0; b < out.length / per; b++) {
    for (let c = 0; c < s.init.length; c++) out.fill(s.init[c] as number, b * per + c * inner, b * per + (c + 1) * inner);
  }
  return out;
}
