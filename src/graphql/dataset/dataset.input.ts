import { GraphQLJSONObject } from 'graphql-scalars';
import { ArgsType, Field, InputType, Int } from 'type-graphql';
import { DATASET_FIELDS as F, DATASET_FORMATS, DATASET_OPTION_LIMITS, NAME_RULE, TASKS } from '../../formats/index.js';
import { PageArgs } from '../connection.js';
import { fieldDoc } from '../field-options.js';

@InputType({ description: 'Checked by the registry (src/formats/dataset.ts) before anything is stored.' })
export class RegisterDatasetInput {
  @Field({ description: `Unique among live data sets, e.g. "mnist" or "lucchi-256"; ${NAME_RULE}.` })
  name!: string;

  @Field({ description: DATASET_FORMATS.join(' | ') })
  format!: string;

  @Field(() => String, { nullable: true, description: 'Directory on the server; required unless synthetic.' })
  path?: string;

  @Field(() => String, { nullable: true, description: `${TASKS.join(' | ')}; defaults to the task the format implies.` })
  task?: string;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: `Reader / generator options (sizes, seed, limits): one flat level of name → string, number or boolean, at most ${DATASET_OPTION_LIMITS.keys}.`,
  })
  options?: Record<string, unknown>;

  @Field(() => [Int], { nullable: true, description: '[height, width, channels]' })
  imageShape?: number[];

  @Field(() => Int, fieldDoc(F.numClasses, true)) numClasses?: number;
  @Field(() => Int, fieldDoc(F.samples, true)) trainSamples?: number;
  @Field(() => Int, fieldDoc(F.samples, true)) testSamples?: number;

  @Field(() => String, { nullable: true })
  description?: string;
}

@InputType()
export class DatasetFilter {
  @Field(() => String, { nullable: true, description: TASKS.join(' | ') })
  task?: string;

  @Field(() => String, { nullable: true, description: DATASET_FORMATS.join(' | ') })
  format?: string;

  @Field(() => Boolean, { nullable: true })
  synthetic?: boolean;

  @Field(() => String, { nullable: true, description: 'Substring of the name.' })
  nameContains?: string;
}

@ArgsType()
export class DatasetsArgs extends PageArgs {
  @Field(() => DatasetFilter, { nullable: true })
  filter?: DatasetFilter;
}
