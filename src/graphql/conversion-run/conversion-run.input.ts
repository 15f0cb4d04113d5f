import { ArrayMaxSize, IsBoolean, IsIn, IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { ArgsType, Field, Float, ID, InputType, Int } from 'type-graphql';
import { BACKENDS } from '../../config.js';
import type { ConversionConfig } from '../../formats/index.js';
import { PageArgs } from '../connection.js';
import { RunFilterInput } from '../run-filter.input.js';

@InputType({ description: 'Conversion + simulation settings (design/conversion.md); defaults as in the original study.' })
export class ConversionConfigInput implements ConversionConfig {
  @Field(() => Int, { description: 'T: simulated time steps, 1..4096.' })
  @IsInt()
  @Min(1)
  @Max(4096)
  timeSteps: number = 64;

  @Field(() => Float, { description: 'p: calibration percentile in (0, 1].' })
  @IsNumber()
  @Min(Number.MIN_VALUE, { message: 'percentile must be in (0, 1]' })
  @Max(1)
  percentile: number = 0.99;

  @Field(() => Int, { description: 'Γ: maximum spikes per neuron per step (≥ 1; 1 = plain IF).' })
  @IsInt()
  @Min(1)
  @Max(1000000)
  gamma: number = 5;

  @Field(() => Boolean, { description: 'One λ per channel instead of one per site.' })
  @IsBoolean()
  channelWise: boolean = false;

  @Field(() => String, { description: 'lipool | gate' })
  @IsIn(['lipool', 'gate'])
  maxPool: 'lipool' | 'gate' = 'lipool';

  @Field(() => String, { description: 'subtract | zero' })
  @IsIn(['subtract', 'zero'])
  reset: 'subtract' | 'zero' = 'subtract';

  @Field(() => Float, { description: 'Initial membrane potential as a fraction of θ.' })
  @IsNumber()
  vInit: number = 0;

  @Field(() => Int, { description: 'Training batches used for calibration (≥ 1).' })
  @IsInt()
  @Min(1)
  @Max(100000)
  calibrationBatches: number = 1;

  @Field(() => Int)
  @IsInt()
  @Min(1)
  @Max(65536)
  batchSize: number = 32;

  @Field(() => Int)
  @IsInt()
  seed: number = 0;
}

@InputType()
export class StartConversionInput {
  @Field(() => ID)
  checkpointId!: string;

  @Field(() => ID)
  datasetId!: string;

  @Field(() => ConversionConfigInput, { nullable: true })
  @IsOptional()
  config?: ConversionConfigInput;

  @Field(() => Int, { nullable: true, description: 'Simulate at most this many test samples (default all).' })
  @IsOptional()
  @Min(1)
  maxSamples?: number;

  @Field(() => String, { nullable: true, description: `${BACKENDS.join(' | ')} (default: the server's SPIKELAB_BACKEND)` })
  @IsOptional()
  @IsIn(BACKENDS)
  backend?: string;

  @Field(() => Int)
  @Min(-100)
  @Max(100)
  priority: number = 0;

  @Field(() => Int)
  @Min(1)
  @Max(10)
  maxAttempts: number = 3;
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
  @IsOptional()
  @ArrayMaxSize(4096)
  steps?: number[];

  @Field(() => Int, { nullable: true, description: 'Every k-th step from 1 (1, 1+k, …) and the last.' })
  @IsOptional()
  @Min(1)
  every?: number;

  @Field(() => Int, { nullable: true, description: 'At most N points (≥ 4): evenly spread, always with the first, last, minimum and maximum.' })
  @IsOptional()
  @Min(4)
  @Max(4096)
  sample?: number;
}
