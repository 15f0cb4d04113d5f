import { IsIn, IsOptional, Matches, ValidateNested } from 'class-validator';
import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { ALIAS_PATTERN, CHECKPOINT_FORMATS } from '../../formats/index.js';
import { PageArgs } from '../connection.js';

@InputType()
export class CheckpointFilter {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsIn(CHECKPOINT_FORMATS)
  format?: string;

  @Field(() => String, { nullable: true, description: 'Only the checkpoint carrying this alias (e.g. "best").' })
  @IsOptional()
  @Matches(ALIAS_PATTERN)
  alias?: string;

  @Field(() => ID, { nullable: true, description: 'Only checkpoints produced by this training run.' })
  @IsOptional()
  trainingRunId?: string;
}

@ArgsType()
export class CheckpointsArgs extends PageArgs {
  @Field(() => ID)
  modelId!: string;

  @Field(() => CheckpointFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  filter?: CheckpointFilter;
}
