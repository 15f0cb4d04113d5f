import { ArrayMaxSize, ArrayMinSize, IsIn, IsInt, IsOptional, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { ArgsType, Field, InputType, Int } from 'type-graphql';
import { DATASET_FORMATS, NAME_PATTERN, NAME_RULE, TASKS } from '../../registry/vocab.js';
import { PageArgs } from '../connection.js';


@InputType()
export class RegisterDatasetInput {
  @Field({ description: 'Unique name, e.g. "mnist" or "lucchi-256".' })
  @Length(1, 100)
  @Matches(NAME_PATTERN, { message: `name ${NAME_RULE}` })
  name!: string;

  @Field({ description: DATASET_FORMATS.join(' | ') })
  @IsIn(DATASET_FORMATS)
  format!: string;

  @Field(() => String, { nullable: true, description: 'Directory on the server; required unless synthetic.' })
  @IsOptional()
  @MaxLength(4096)
  path?: string;

  @Field(() => String, { nullable: true, description: 'Defaults to the task the format implies.' })
  @IsOptional()
  @IsIn(TASKS)
  task?: string;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Reader / generator options (sizes, seed, limits).' })
  @IsOptional()
  options?: Record<string, string | number | boolean>;

  @Field(() => [Int], { nullable: true, description: '[height, width, channels]' })
  @IsOptional()
  @ArrayMinSize(3)
  @ArrayMaxSize(3)
  @IsInt({ each: true })
  @Min(1, { each: true })
  imageShape?: number[];

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(1)
  @Max(100000)
  numClasses?: number;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(0)
  trainSamples?: number;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(0)
  testSamples?: number;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  description?: string;
}

@InputType()
export class DatasetFilter {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsIn(TASKS)
  task?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsIn(DATASET_FORMATS)
  format?: string;

  @Field(() => Boolean, { nullable: true })
  synthetic?: boolean;

  @Field(() => String, { nullable: true, description: 'Substring of the name.' })
  @IsOptional()
  @MaxLength(100)
  nameContains?: string;
}

@ArgsType()
export class DatasetsArgs extends PageArgs {
  @Field(() => DatasetFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  filter?: DatasetFilter;
}
