// SpikelabClient: the functions researchers call by name. Every operation is typed from the
// committed schema.graphql (client/generated, GraphQL Code Generator).
import type { CompareMatrix, SegmentationPanel } from '../../src/formats/compare.js';
import {
  CancelJobDocument, CancelSweepDocument, StartSweepDocument, SweepDocument, SweepPivotDocument, SweepsDocument, CheckpointDocument, CheckpointsDocument, ConversionRunPanelsDocument, ImportCheckpointDocument, ImportOnnxModelDocument, SetAliasDocument, CompareDocument, ConversionRunDocument, ConversionRunsDocument, CreateModelDocument,
  DatasetsDocument, JobDocument, JobsDocument, ModelsDocument, RegisterDatasetDocument, StartConversionDocument,
  StartTrainingDocument, StepMetricsDocument, TrainingRunDocument, TrainingRunsDocument, WorkersDocument, type WorkersQuery,
  type CheckpointFieldsFragment, type CompareQueryVariables, type ConversionRunFieldsFragment, type ImportCheckpointInput, type ImportOnnxModelInput, type ImportOnnxModelMutation, type CreateModelInput, type DatasetFieldsFragment,
  type ListOrder, type ModelFieldsFragment, type RegisterDatasetInput, type RunFilterInput, type StartConversionInput,
  type StartTrainingInput, type TrainingRunFieldsFragment, type StartSweepInput, type SweepFieldsFragment, type SweepPivotFieldsFragment, type SweepsQuery,
} from '../generated/graphql.js';
import { SpikelabError } from './errors.js';
import { type ConnectOptions, Transport } from './transport.js';
import { type CheckpointFileFormat, STREAM_UPLOAD_THRESHOLD, openCheckpointFile, openOnnxFile, payloadBase64, payloadStream } from './upload.js';
import { type Job, type WaitOptions, waitForJob } from './wait.js';

export type Dataset = DatasetFieldsFragment;
export type Model = ModelFieldsFragment;
export type TrainingRun = TrainingRunFieldsFragment;
export type ConversionRun = ConversionRunFieldsFragment;
export type Checkpoint = CheckpointFieldsFragment;
export type Worker = WorkersQuery['workers'][number];
export type Sweep = SweepFieldsFragment;
export type SweepPivot = SweepPivotFieldsFragment;
export type SweepListItem = SweepsQuery['sweeps']['nodes'][number];
/** The first checkpoint of an imported ONNX model, with the model. */
export type ImportedOnnxModel = ImportOnnxModelMutation['importOnnxModel'];
/** importOnnxModel's options besides the file. */
export type OnnxImportOptions = Omit<ImportOnnxModelInput, 'name' | 'path' | 'base64' | 'uploadId'>;
export type { ImportOnnxModelInput, ImportCheckpointInput, CompareQueryVariables as CompareArgs, CreateModelInput, Job, ListOrder, RegisterDatasetInput, RunFilterInput, StartConversionInput, StartSweepInput, StartTrainingInput, WaitOptions };

interface Page<T> {
  nodes: T[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

/** Follows `after` cursors until the last page (or `limit` items). */
export async function collectPages<T>(fetchPage: (after: string | null) => Promise<Page<T>>, limit = 100_000): Promise<T[]> {
  const out: T[] = [];
  let after: string | null = null;
  for (;;) {
    const page: Page<T> = await fetchPage(after);
    out.push(...page.nodes);
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor || out.length >= limit) return out.slice(0, limit);
    after = page.pageInfo.endCursor;
  }
}

const isId = (ref: string): boolean => /^\d+$/.test(ref);

export class SpikelabClient {
  readonly transport: Transport;

  constructor(opts: ConnectOptions) {
    this.transport = new Transport(opts);
  }

  /** Remote job workers seen in the last day, with their running jobs and last heartbeat. */
  async workers(): Promise<Worker[]> {
    return (await this.transport.request(WorkersDocument, {})).workers;
  }

  /** Registers a data set the server can read (CONFLICT if the name is taken). */
  async registerDataset(input: RegisterDatasetInput): Promise<Dataset> {
    return (await this.transport.request(RegisterDatasetDocument, { input })).registerDataset;
  }

  /** Data sets, oldest first unless `orderBy` says otherwise. */
  async datasets(nameContains?: string, orderBy?: ListOrder): Promise<Dataset[]> {
    return collectPages(async (after) => (await this.transport.request(DatasetsDocument, { first: 500, after, filter: nameContains ? { nameContains } : null, ...(orderBy && { orderBy }) })).datasets);
  }

  /** A data set by id or exact name (NOT_FOUND otherwise). */
  async findDataset(ref: string): Promise<Dataset> {
    const found = (await this.datasets(isId(ref) ? undefined : ref)).find((d) => (isId(ref) ? d.id === ref : d.name === ref));
    if (!found) throw new SpikelabError(`no data set "${ref}"`, 'NOT_FOUND');
    return found;
  }

  /** Creates a model from the zoo (parameter count and MACs are computed by the server). */
  async createModel(input: CreateModelInput): Promise<Model> {
    return (await this.transport.request(CreateModelDocument, { input })).createModel;
  }

  /** Models, oldest first unless `orderBy` says otherwise. */
  async models(nameContains?: string, orderBy?: ListOrder): Promise<Model[]> {
    return collectPages(async (after) => (await this.transport.request(ModelsDocument, { first: 500, after, filter: nameContains ? { nameContains } : null, ...(orderBy && { orderBy }) })).models);
  }

  /** A model by id or exact name (NOT_FOUND otherwise). */
  async findModel(ref: string): Promise<Model> {
    const found = (await this.models(isId(ref) ? undefined : ref)).find((m) => (isId(ref) ? m.id === ref : m.name === ref));
    if (!found) throw new SpikelabError(`no model "${ref}"`, 'NOT_FOUND');
    return found;
  }

  /** "42" (checkpoint id), "model" (its newest checkpoint) or "model:alias" → checkpoint id. */
  async resolveCheckpoint(ref: string): Promise<string> {
    if (isId(ref)) return ref;
    const [modelRef = '', alias] = ref.split(':');
    const model = await this.findModel(modelRef);
    const cps = await collectPages(async (after) => (await this.transport.request(CheckpointsDocument, { modelId: model.id, alias: alias ?? null, first: 500, after })).checkpoints);
    const newest = cps.at(-1);
    if (!newest) throw new SpikelabError(`model ${model.name} has no checkpoint${alias ? ` with alias "${alias}"` : ''} (train or import one first)`, 'NOT_FOUND');
    return newest.id;
  }

  /** Imports weights trained elsewhere: a file on the server (`path`), uploaded bytes (`base64`) or an upload (`uploadId`). */
  async importCheckpoint(input: ImportCheckpointInput): Promise<Checkpoint> {
    return (await this.transport.request(ImportCheckpointDocument, { input })).importCheckpoint;
  }

  /**
   * Uploads a local .safetensors file or tfjs-layers model.json (+ shards) as a checkpoint of the
   * model: inline as base64 up to `streamAbove` bytes (default 10 MB), else streamed from disk to
   * PUT /uploads first.
   */
  async uploadCheckpoint(modelId: string, localPath: string, opts: { format?: CheckpointFileFormat; aliases?: string[]; source?: string; streamAbove?: number } = {}): Promise<Checkpoint> {
    const file = await openCheckpointFile(localPath, opts.format);
    const payload = file.bytes > (opts.streamAbove ?? STREAM_UPLOAD_THRESHOLD) ? { uploadId: (await this.transport.upload(payloadStream(file))).uploadId } : { base64: await payloadBase64(file) };
    return this.importCheckpoint({
      modelId, format: file.format, ...payload, source: opts.source ?? localPath,
      ...(file.weightSpecs && { weightSpecs: file.weightSpecs }),
      ...(opts.aliases && { aliases: opts.aliases }),
    });
  }

  /**
   * Registers an ONNX file as a model (architecture onnx) with the file as its first checkpoint: a
   * file on the server (`path`), its bytes (`base64`) or an upload (`uploadId`).
   */
  async importOnnxModel(input: ImportOnnxModelInput): Promise<ImportedOnnxModel> {
    return (await this.transport.request(ImportOnnxModelDocument, { input })).importOnnxModel;
  }

  /** Uploads a local .onnx file as a new model: inline as base64 up to `streamAbove` bytes (default 10 MB), else streamed to PUT /uploads first. */
  async uploadOnnxModel(name: string, localPath: string, opts: OnnxImportOptions & { streamAbove?: number } = {}): Promise<ImportedOnnxModel> {
    const { streamAbove, ...options } = opts;
    const file = await openOnnxFile(localPath);
    const payload = file.bytes > (streamAbove ?? STREAM_UPLOAD_THRESHOLD) ? { uploadId: (await this.transport.upload(payloadStream(file))).uploadId } : { base64: await payloadBase64(file) };
    return this.importOnnxModel({ name, ...payload, source: options.source ?? localPath, ...options });
  }

  /** Writes a checkpoint's ANN (id or model[:alias]) as a standalone ONNX file to `outFile` (temp name, then renamed). */
  async exportAnn(checkpointRef: string, outFile: string): Promise<{ path: string; bytes: number; checkpointId: string }> {
    const checkpointId = await this.resolveCheckpoint(checkpointRef);
    const cp = (await this.transport.request(CheckpointDocument, { id: checkpointId })).checkpoint;
    return { ...(await this.transport.download(cp.annOnnxUrl, outFile)), checkpointId };
  }

  /** Writes a SUCCEEDED conversion run's SNN as a standalone ONNX file to `outFile` (temp name, then renamed). */
  async exportSnn(runId: string, outFile: string): Promise<{ path: string; bytes: number }> {
    const run = await this.conversionRun(runId);
    if (!run.snnOnnxUrl) throw new SpikelabError(`conversion run ${runId} is ${run.status}: only a SUCCEEDED run has an SNN to export`, 'BAD_USER_INPUT');
    return this.transport.download(run.snnOnnxUrl, outFile);
  }

  /** Points an alias of the checkpoint's model (e.g. best) at this checkpoint. */
  async setAlias(checkpointId: string, alias: string): Promise<Checkpoint> {
    return (await this.transport.request(SetAliasDocument, { input: { checkpointId, alias } })).setAlias;
  }

  /** Queues training; returns the QUEUED run (its jobId is what waitForJob follows). */
  async startTraining(input: StartTrainingInput): Promise<TrainingRun> {
    return (await this.transport.request(StartTrainingDocument, { input })).startTraining;
  }

  /** Queues training, waits for it, returns the finished run (resultCheckpointId set). */
  async train(input: StartTrainingInput, wait: WaitOptions = {}): Promise<TrainingRun> {
    const run = await this.startTraining(input);
    if (run.jobId) await this.waitForJob(run.jobId, wait);
    return this.trainingRun(run.id);
  }

  async trainingRun(id: string): Promise<TrainingRun> {
    return (await this.transport.request(TrainingRunDocument, { id })).trainingRun;
  }

  /** The first `limit` training runs matching `filter`, oldest first unless `orderBy` says otherwise. */
  async trainingRuns(filter: RunFilterInput = {}, limit = 1000, orderBy?: ListOrder): Promise<TrainingRun[]> {
    return collectPages(async (after) => (await this.transport.request(TrainingRunsDocument, { filter, first: Math.min(limit, 500), after, ...(orderBy && { orderBy }) })).trainingRuns, limit);
  }

  /** Queues conversion + simulation; returns the QUEUED run. */
  async startConversion(input: StartConversionInput): Promise<ConversionRun> {
    return (await this.transport.request(StartConversionDocument, { input })).startConversion;
  }

  /** Queues a conversion, waits for it, returns the finished run with its summary. */
  async convert(input: StartConversionInput, wait: WaitOptions = {}): Promise<ConversionRun> {
    const run = await this.startConversion(input);
    if (run.jobId) await this.waitForJob(run.jobId, wait);
    return this.conversionRun(run.id);
  }

  async conversionRun(id: string): Promise<ConversionRun> {
    return (await this.transport.request(ConversionRunDocument, { id })).conversionRun;
  }

  /** The first `limit` conversion runs matching `filter`, oldest first unless `orderBy` says otherwise. */
  async conversionRuns(filter: RunFilterInput = {}, limit = 1000, orderBy?: ListOrder): Promise<ConversionRun[]> {
    return collectPages(async (after) => (await this.transport.request(ConversionRunsDocument, { filter, first: Math.min(limit, 500), after, ...(orderBy && { orderBy }) })).conversionRuns, limit);
  }

  /** SNN metric per step of a conversion run: all steps, chosen `steps`, `every` k-th, or `sample` n evenly. */
  async stepMetrics(runId: string, name: string, sel: { steps?: number[]; every?: number; sample?: number } = {}): Promise<{ step: number; value: number }[]> {
    return (await this.transport.request(StepMetricsDocument, { runId, name, ...sel })).conversionRun.stepMetrics;
  }

  /** Figure panels of a segmentation run (image, label, binarisable ANN / SNN maps); [] for other runs. */
  async panels(runId: string): Promise<SegmentationPanel[]> {
    return (await this.transport.request(ConversionRunPanelsDocument, { id: runId })).conversionRun.panels ?? [];
  }

  async job(id: string): Promise<Job> {
    return (await this.transport.request(JobDocument, { id })).job;
  }

  /** The first `limit` jobs matching `filter`, oldest first unless `orderBy` says otherwise. */
  async jobs(filter: { status?: string; kind?: string } = {}, limit = 50, orderBy?: ListOrder): Promise<Job[]> {
    return collectPages(async (after) => (await this.transport.request(JobsDocument, { ...filter, first: Math.min(limit, 500), after, ...(orderBy && { orderBy }) })).jobs, limit);
  }

  async cancelJob(id: string): Promise<Job> {
    return (await this.transport.request(CancelJobDocument, { id })).cancelJob;
  }

  /** Follows a job (subscription, polling as fallback) until it ends; throws JOB_FAILED / JOB_CANCELLED. */
  async waitForJob(id: string, opts: WaitOptions = {}): Promise<Job> {
    return waitForJob(this.transport, id, opts);
  }

  /** The backbone × time-step matrix (ANN reference, loss, SOPs, energy) of finished conversion runs. */
  async compare(args: CompareQueryVariables = {}): Promise<CompareMatrix> {
    return (await this.transport.request(CompareDocument, args)).compare;
  }

  /**
   * Queues a sweep: the cross product of `input.axes` (one list per conversion config field) for
   * each checkpoint, one job per checkpoint; points already computed come from the registry.
   */
  async startSweep(input: StartSweepInput): Promise<Sweep> {
    return (await this.transport.request(StartSweepDocument, { input })).startSweep;
  }

  async sweep(id: string): Promise<Sweep> {
    return (await this.transport.request(SweepDocument, { id })).sweep;
  }

  /** The first `limit` sweeps, oldest first unless `orderBy` says otherwise. */
  async sweeps(filter: { datasetId?: string; status?: string } = {}, limit = 100, orderBy?: ListOrder): Promise<SweepListItem[]> {
    return collectPages(async (after) => (await this.transport.request(SweepsDocument, { ...filter, first: Math.min(limit, 500), after, ...(orderBy && { orderBy }) })).sweeps, limit);
  }

  /** Cancels every job of the sweep (finished points keep their results). */
  async cancelSweep(id: string): Promise<Sweep> {
    return (await this.transport.request(CancelSweepDocument, { id })).cancelSweep;
  }

  /**
   * Follows every job of the sweep until it ends (`onProgress` gets each job update with the
   * job's checkpoint), then returns the sweep; throws JOB_FAILED / JOB_CANCELLED unless `allowFailure`.
   */
  async waitForSweep(id: string, opts: Omit<WaitOptions, 'onProgress'> & { onProgress?: (job: Job, checkpointId: string) => void } = {}): Promise<Sweep> {
    const { onProgress, ...wait } = opts;
    for (const w of (await this.sweep(id)).work) {
      if (w.job) await this.waitForJob(w.job.id, { ...wait, allowFailure: true, ...(onProgress && { onProgress: (j: Job) => onProgress(j, w.checkpointId) }) });
    }
    const sweep = await this.sweep(id);
    if (!opts.allowFailure && sweep.status !== 'SUCCEEDED') {
      throw new SpikelabError(`sweep ${id} ${sweep.status === 'CANCELLED' ? 'was cancelled' : `failed: ${sweep.error ?? 'no error message'}`}`, sweep.status === 'CANCELLED' ? 'JOB_CANCELLED' : 'JOB_FAILED', { sweep });
    }
    return sweep;
  }

  /** Queues a sweep, waits for it, returns it with every run. */
  async runSweep(input: StartSweepInput, wait: Omit<WaitOptions, 'onProgress'> = {}): Promise<Sweep> {
    return this.waitForSweep((await this.startSweep(input)).id, wait);
  }

  /** A sweep pivoted on one config axis: rows = backbone (× other swept axes), columns = the axis' values, cells = the SNN metric at `step` (default each run's T). */
  async sweepPivot(sweepId: string, opts: { axis?: string; step?: number; metric?: string } = {}): Promise<SweepPivot> {
    const { pivot } = (await this.transport.request(SweepPivotDocument, { sweepId, ...opts })).compare;
    if (!pivot) throw new SpikelabError(`the server sent no pivot for sweep ${sweepId}`, 'INTERNAL_SERVER_ERROR');
    return pivot;
  }

  /** Closes the subscription socket, if one was opened. */
  async close(): Promise<void> {
    await this.transport.close();
  }
}

/** Connects to a Spikelab server: `connect('http://127.0.0.1:4000')` or `connect({ url, token })`. */
export function connect(opts: ConnectOptions | string): SpikelabClient {
  return new SpikelabClient(typeof opts === 'string' ? { url: opts } : opts);
}
