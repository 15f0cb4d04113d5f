import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { EarlyExitRecord } from '../../formats/index.js';
import type { ConversionRun as Row } from '../../registry/conversion-runs.js';
import type { LayerStat } from '../../registry/metrics.js';
import { Connection } from '../connection.js';
import { snnExportPath } from '../export-paths.js';

@ObjectType('StepPoint', { simpleResolvers: true })
export class StepPointType {
  @Field(() => Int)
  step!: number;

  @Field(() => Float)
  value!: number;
}

@ObjectType('LayerStat', { description: 'One activation site of the converted network.', simpleResolvers: true })
export class LayerStatType {
  @Field(() => Int)
  position!: number;

  @Field()
  site!: string;

  @Field({ description: 'if | lipool | gate' })
  kind!: string;

  @Field(() => Int)
  neurons!: number;

  @Field(() => Float, { description: 'λ (or the mean λ when channel-wise).' })
  lambda!: number;

  @Field(() => Float)
  lambdaMin!: number;

  @Field(() => Float)
  lambdaMax!: number;

  @Field(() => Float, { description: 'Spikes per neuron per step.' })
  firingRate!: number;

  @Field(() => Float, { description: 'Synaptic operations per sample over the whole simulation.' })
  sops!: number;
}

@ObjectType('SegmentationPanel', { description: 'One test image with its label and binarised ANN / SNN maps (row-major, values in [0, 1]).', simpleResolvers: true })
export class SegmentationPanelType {
  @Field(() => Int) width!: number;
  @Field(() => Int) height!: number;
  @Field(() => [Float]) image!: number[];
  @Field(() => [Float]) label!: number[];
  @Field(() => [Float]) ann!: number[];
  @Field(() => [Float]) snn!: number[];
}

@ObjectType('EarlyExit', {
  description:
    'Adaptive early exit (classification): every sample is still simulated to T, so the fixed-T curve is complete; each sample is scored and charged as if it had stopped at its exit step (the first step where a rule held, else T).',
  simpleResolvers: true,
})
export class EarlyExitType implements EarlyExitRecord {
  @Field(() => Int, { nullable: true, description: 'Rule: exit once the top-1 class has been the same for this many consecutive steps.' }) patience!: number | null;
  @Field(() => Float, { nullable: true, description: 'Rule: exit once top-1 minus top-2 of the mean logits exceeds this margin.' }) margin!: number | null;
  @Field(() => Float, { description: 'Top-1 accuracy of the predictions at the exit steps.' }) accuracy!: number;
  @Field(() => Float, { description: 'Mean exit step.' }) meanSteps!: number;
  @Field(() => [Int], { description: 'stepsHistogram[t-1]: samples whose exit step is t (t = 1..T).' }) stepsHistogram!: number[];
  @Field(() => Int, { description: 'Samples that met a rule by step T.' }) exited!: number;
  @Field(() => Float, { description: 'SOPs per sample actually spent: spikes × fan-out over the steps up to each sample’s exit step, averaged.' }) sops!: number;
  @Field(() => Float, { description: 'SOPs per sample of the fixed-T run.' }) fixedSops!: number;
  @Field(() => Float, { description: '(SOPs·E_AC)/(MACs·E_MAC) of the early-exit SOPs.' }) energyRatio!: number;
}

@ObjectType('ConversionRun', { description: 'ANN→SNN conversion of a checkpoint, simulated on a dataset for T steps.' })
export class ConversionRunType {
  @Field(() => ID) id!: string;
  @Field(() => ID) checkpointId!: string;
  @Field(() => ID) datasetId!: string;
  @Field(() => Int) timeSteps!: number;
  @Field(() => Float) percentile!: number;
  @Field(() => Int) gamma!: number;
  @Field() channelWise!: boolean;
  @Field() maxPool!: string;
  @Field() reset!: string;
  @Field(() => Float) vInit!: number;
  @Field(() => Int) calibrationBatches!: number;
  @Field(() => Int) batchSize!: number;
  @Field(() => Int) seed!: number;
  @Field({ description: 'none | gamma' }) calibrationClip!: string;
  @Field({ description: 'mean-probability | mean-logit (segmentation readout)' }) readout!: string;
  @Field(() => Int, { nullable: true }) earlyExitPatience!: number | null;
  @Field(() => Float, { nullable: true }) earlyExitMargin!: number | null;
  @Field(() => EarlyExitType, { nullable: true, description: 'The early-exit outcome (runs with an early-exit rule), beside the fixed-T curve.' }) earlyExit!: EarlyExitType | null;
  @Field({ description: 'A hybrid run: the model’s ops after its last activation site (the analog head, e.g. attention pooling) ran on ONNX Runtime each step on the running mean of that site; the rest spiked.' }) hybrid!: boolean;
  @Field(() => [String], { description: 'Hybrid runs: the analog head’s ONNX op types, in first-use order ([] otherwise).' }) analogOps!: string[];
  @Field() backend!: string;
  @Field(() => String, { nullable: true }) backendUsed!: string | null;
  @Field(() => Int, { nullable: true }) maxSamples!: number | null;
  @Field({ description: 'classification | segmentation' }) task!: string;
  @Field({ description: 'QUEUED | RUNNING | SUCCEEDED | FAILED | CANCELLED' }) status!: string;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'ANN metrics on the same test samples, by name.' }) annMetrics!: Record<string, number> | null;
  @Field(() => String, { nullable: true }) primaryMetric!: string | null;
  @Field(() => Float, { nullable: true }) annValue!: number | null;
  @Field(() => Float, { nullable: true }) best!: number | null;
  @Field(() => Int, { nullable: true }) bestStep!: number | null;
  @Field(() => Int, { nullable: true, description: 'First step t with SNN_t ≥ ANN − 0.01 (every metric is higher-is-better: a step above the ANN counts), or null.' }) firstStepWithin1!: number | null;
  @Field(() => Float, { nullable: true }) lossAtT!: number | null;
  @Field(() => Float, { nullable: true }) sops!: number | null;
  @Field(() => Float, { nullable: true }) annMacs!: number | null;
  @Field(() => Float, { nullable: true, description: '(SOPs·E_AC)/(MACs·E_MAC)' }) energyRatio!: number | null;
  @Field(() => Float, { nullable: true }) eAcPj!: number | null;
  @Field(() => Float, { nullable: true }) eMacPj!: number | null;
  @Field(() => Int, { nullable: true, description: 'Test samples simulated.' }) samples!: number | null;
  @Field(() => [String]) warnings!: string[];
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => ID, { nullable: true, description: 'The run\'s own job (null for the points of a sweep: see job).' }) jobId!: string | null;
  @Field(() => ID, { nullable: true, description: 'The sweep that computed this run (null: a conversion of its own). A sweep that reused the run lists it among its points with cached: true.' }) sweepId!: string | null;
  @Field(() => Int, { nullable: true, description: 'Version of the engine numerics that computed the results (null until the run succeeded, or before versions were recorded).' }) engineVersion!: number | null;
  @Field({ description: 'true when this run answered a request (startConversion, a sweep point) from the registry: an identical run had succeeded before, so nothing was computed for the request. false otherwise.' }) cached!: boolean;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
  @Field(() => String, {
    nullable: true,
    description: 'SUCCEEDED runs: where to download the SNN as a standalone ONNX file (GET, relative to the server’s base URL; same token as queries). Its states are inputs and outputs; a hybrid run’s file holds its analog head too. The README and the file’s spikelab.contract metadata give the contract.',
  })
  snnOnnxUrl!: string | null;
}

@ObjectType()
export class ConversionRunConnection extends Connection(ConversionRunType, 'ConversionRun') {}

export function toConversionRunType(r: Row, cached = false): ConversionRunType {
  return Object.assign(new ConversionRunType(), {
    ...r,
    id: String(r.id),
    checkpointId: String(r.checkpointId),
    datasetId: String(r.datasetId),
    jobId: r.jobId == null ? null : String(r.jobId),
    sweepId: r.sweepId == null ? null : String(r.sweepId),
    cached,
    earlyExit: r.earlyExit === null ? null : Object.assign(new EarlyExitType(), r.earlyExit),
    snnOnnxUrl: r.status === 'SUCCEEDED' ? snnExportPath(r.id) : null,
  });
}

export function toLayerStatType(l: LayerStat): LayerStatType {
  const { position, site, kind, neurons, lambda, lambdaMin, lambdaMax, firingRate, sops } = l;
  return Object.assign(new LayerStatType(), { position, site, kind, neurons, lambda, lambdaMin, lambdaMax, firingRate, sops });
}
