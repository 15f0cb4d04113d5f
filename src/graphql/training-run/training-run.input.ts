import { ArgsType, Field, Float, ID, InputType, Int } from 'type-graphql';
import { BACKENDS, JOB_FIELDS, TRAINING_CONFIG_FIELDS as F, type TrainingConfig } from '../../formats/index.js';
import { PageArgs } from '../connection.js';
import { fieldDoc } from '../field-options.js';
import { RunFilterInput } from '../run-filter.input.js';

@InputType({ description: 'Hyper-parameters; fields, defaults and bounds from src/formats/training.ts.' })
export class TrainingConfigInput implements TrainingConfig {
  @Field(() => Int, fieldDoc(F.epochs)) epochs: number = F.epochs.default;
  @Field(() => Int, fieldDoc(F.batchSize)) batchSize: number = F.batchSize.default;
  @Field(() => Float, fieldDoc(F.learningRate)) learningRate: number = F.learningRate.default;
  @Field(() => Float, fieldDoc(F.momentum)) momentum: number = F.momentum.default;
  @Field(() => Float, fieldDoc(F.weightDecay)) weightDecay: number = F.weightDecay.default;
  @Field(() => String, fieldDoc(F.schedule)) schedule: TrainingConfig['schedule'] = F.schedule.default;
  @Field(() => Float, fieldDoc(F.labelSmoothing)) labelSmoothing: number = F.labelSmoothing.default;
  @Field(() => Boolean, fieldDoc(F.augment)) augment: boolean = F.augment.default;
  @Field(() => Float, fieldDoc(F.validationSplit)) validationSplit: number = F.validationSplit.default;
  @Field(() => Int, fieldDoc(F.seed)) seed: number = F.seed.default;
  @Field(() => Int, fieldDoc(F.maxTrainSamples, true)) maxTrainSamples?: number;
  @Field(() => Int, fieldDoc(F.maxValidationSamples, true)) maxValidationSamples?: number;
}

@InputType({ description: 'Checked (bounds, fit of model and data) before anything is queued.' })
export class StartTrainingInput {
  @Field(() => ID)
  modelId!: string;

  @Field(() => ID)
  datasetId!: string;

  @Field(() => ID, { nullable: true, description: 'Start from these weights (fine-tuning); default random init.' })
  initCheckpointId?: string;

  @Field(() => TrainingConfigInput, { nullable: true })
  config?: TrainingConfigInput;

  @Field(() => String, { nullable: true, description: `TensorFlow.js backend: ${BACKENDS.join(' | ')} (default auto: the server's SPIKELAB_BACKEND)` })
  backend?: string;

  @Field(() => Int, fieldDoc(JOB_FIELDS.priority)) priority: number = JOB_FIELDS.priority.default;
  @Field(() => Int, fieldDoc(JOB_FIELDS.maxAttempts)) maxAttempts: number = JOB_FIELDS.maxAttempts.default;
}

@ArgsType()
export class TrainingRunsArgs extends PageArgs {
  @Field(() => RunFilterInput, { nullable: true })
  filter?: RunFilterInput;
}
