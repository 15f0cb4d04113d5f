import { IsBoolean, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ArgsType, Field, Float, ID, InputType, Int } from 'type-graphql';
import { BACKENDS } from '../../config.js';
import type { TrainingConfig } from '../../formats/index.js';
import { PageArgs } from '../connection.js';
import { RunFilterInput } from '../run-filter.input.js';

@InputType({ description: 'Hyper-parameters (src/formats/training.ts); defaults as shown.' })
export class TrainingConfigInput implements TrainingConfig {
  @Field(() => Int)
  @Min(1)
  @Max(10000)
  epochs: number = 10;

  @Field(() => Int)
  @Min(1)
  @Max(65536)
  batchSize: number = 64;

  @Field(() => Float)
  @Min(0)
  @Max(100)
  learningRate: number = 0.05;

  @Field(() => Float)
  @Min(0)
  @Max(1)
  momentum: number = 0.9;

  @Field(() => Float)
  @Min(0)
  @Max(1)
  weightDecay: number = 5e-4;

  @Field(() => String, { description: 'cosine | constant' })
  @IsIn(['cosine', 'constant'])
  schedule: 'cosine' | 'constant' = 'cosine';

  @Field(() => Float)
  @Min(0)
  @Max(1)
  labelSmoothing: number = 0;

  @Field(() => Boolean)
  @IsBoolean()
  augment: boolean = true;

  @Field(() => Float, { description: 'Fraction of the training set held out for model selection.' })
  @Min(0)
  @Max(0.9)
  validationSplit: number = 0.1;

  @Field(() => Int)
  @IsInt()
  seed: number = 0;

  @Field(() => Int, { nullable: true, description: 'Cap on training samples (quick runs).' })
  @IsOptional()
  @Min(1)
  maxTrainSamples?: number;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(1)
  maxValidationSamples?: number;
}

@InputType()
export class StartTrainingInput {
  @Field(() => ID)
  modelId!: string;

  @Field(() => ID)
  datasetId!: string;

  @Field(() => ID, { nullable: true, description: 'Start from these weights (fine-tuning); default random init.' })
  @IsOptional()
  initCheckpointId?: string;

  @Field(() => TrainingConfigInput, { nullable: true })
  @IsOptional()
  config?: TrainingConfigInput;

  @Field(() => String, { nullable: true, description: `${BACKENDS.join(' | ')} (default: the server's SPIKELAB_BACKEND)` })
  @IsOptional()
  @IsIn(BACKENDS)
  backend?: string;

  @Field(() => Int, { description: 'Higher runs first.' })
  @Min(-100)
  @Max(100)
  priority: number = 0;

  @Field(() => Int, { description: 'Tries before the job is FAILED when its worker dies.' })
  @Min(1)
  @Max(10)
  maxAttempts: number = 3;
}

@ArgsType()
export class TrainingRunsArgs extends PageArgs {
  @Field(() => RunFilterInput, { nullable: true })
  filter?: RunFilterInput;
}
