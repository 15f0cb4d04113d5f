import { ArgsType, Field, ID, Int } from 'type-graphql';
import { RunFilterInput } from '../run-filter.input.js';

/** Checked by registry/compare.ts. */
@ArgsType()
export class CompareArgs {
  @Field(() => [ID], { nullable: true, description: 'These succeeded conversion runs (1..10000); otherwise every succeeded run matching filter.' })
  runIds?: string[];

  @Field(() => RunFilterInput, { nullable: true })
  filter?: RunFilterInput;

  @Field(() => String, { nullable: true, description: "Metric to compare (default: the runs' primary metric, accuracy or softDice)." })
  metric?: string;

  @Field(() => [Int], { nullable: true, description: 'Steps of the matrix, each in 1..4096 (default 1, 2, 4, …, T).' })
  steps?: number[];

  @Field(() => ID, { nullable: true, description: "The points of this sweep; the matrix's pivot then shows the sweep on one config axis." })
  sweepId?: string;

  @Field(() => String, { nullable: true, description: 'With sweepId: the config field on the pivot\'s columns (default: the first swept one).' })
  axis?: string;

  @Field(() => Int, { nullable: true, description: "With sweepId: the step of the pivot's cells (default: each run's T)." })
  step?: number;
}
