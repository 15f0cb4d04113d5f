import { ArgsType, Field, Float, ID, InputType, Int } from 'type-graphql';
import { CONVERSION_BACKENDS, CONVERSION_CONFIG_FIELDS as F, JOB_FIELDS, type CalibrationClip, type ConversionConfig, type MaxPoolMode, type ResetMode, type SegmentationReadout } from '../../formats/index.js';
import { PageArgs } from '../connection.js';
import { fieldDoc } from '../field-options.js';
import { RunFilterInput } from '../run-filter.input.js';

@InputType({ description: 'Conversion + simulation settings (design/conversion.md); fields, defaults and bounds from src/formats/conversion.ts.' })
export class ConversionConfigInput implements ConversionConfig {
  @Field(() => Int, fieldDoc(F.timeSteps)) timeSteps: number = F.timeSteps.default;
  @Field(() => Float, fieldDoc(F.percentile)) percentile: number = F.percentile.default;
  @Field(() => Int, fieldDoc(F.gamma)) gamma: number = F.gamma.default;
  @Field(() => Boolean, fieldDoc(F.channelWise)) channelWise: boolean = F.channelWise.default;
  @Field(() => String, fieldDoc(F.maxPool)) maxPool: MaxPoolMode = F.maxPool.default;
  @Field(() => String, fieldDoc(F.reset)) reset: ResetMode = F.reset.default;
  @Field(() => Float, fieldDoc(F.vInit)) vInit: number = F.vInit.default;
  @Field(() => Int, fieldDoc(F.calibrationBatches)) calibrationBatches: number = F.calibrationBatches.default;
  @Field(() => Int, fieldDoc(F.batchSize)) batchSize: number = F.batchSize.default;
  @Field(() => Int, fieldDoc(F.seed)) seed: number = F.seed.default;
  @Field(() => String, fieldDoc(F.calibrationClip)) calibrationClip: CalibrationClip = F.calibrationClip.default;
  @Field(() => String, fieldDoc(F.readout)) readout: SegmentationReadout = F.readout.default;
  @Field(() => Int, fieldDoc(F.earlyExitPatience, true)) earlyExitPatience?: number;
  @Field(() => Float, fieldDoc(F.earlyExitMargin, true)) earlyExitMargin?: number;
}

@InputType({ description: 'Checked (bounds, fit of model and data) before anything is queued.' })
export class StartConversionInput {
  @Field(() => ID)
  checkpointId!: string;

  @Field(() => ID)
  datasetId!: string;

  @Field(() => ConversionConfigInput, { nullable: true })
  config?: ConversionConfigInput;

  @Field(() => Int, fieldDoc(JOB_FIELDS.maxSamples, true))
  maxSamples?: number;

  @Field(() => String, { nullable: true, description: `Execution provider: ${CONVERSION_BACKENDS.join(' | ')} (default auto: the server's choice)` })
  backend?: string;

  @Field(() => Int, fieldDoc(JOB_FIELDS.priority)) priority: number = JOB_FIELDS.priority.default;
  @Field(() => Int, fieldDoc(JOB_FIELDS.maxAttempts)) maxAttempts: number = JOB_FIELDS.maxAttempts.default;

  @Field({ description: 'Compute again even when an identical run succeeded before (same checkpoint content, data set, test subset, config and engine version); false: that run is the answer, with cached: true, and nothing is queued.' })
  force: boolean = false;
}

@ArgsType()
export class ConversionRunsArgs extends PageArgs {
  @Field(() => RunFilterInput, { nullable: true })
  filter?: RunFilterInput;
}

@ArgsType()
export class StepMetricsArgs {
  @Field({ description: 'Metric name, e.g. accuracy, top5, softDice, iou, f1, pixelAccuracy.' })
  name!: string;

  @Field(() => [Int], { nullable: true, description: 'Exactly these steps.' })
  steps?: number[];

  @Field(() => Int, { nullable: true, description: 'Every k-th step from 1 (1, 1+k, …) and the last.' })
  every?: number;

  @Field(() => Int, { nullable: true, description: 'At most N points (≥ 4): evenly spread, always with the first, last, minimum and maximum.' })
  sample?: number;
}
