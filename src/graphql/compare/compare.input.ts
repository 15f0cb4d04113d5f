import { ArrayMaxSize, ArrayMinSize, IsInt, IsOptional, Max, MaxLength, Min } from 'class-validator';
import { ArgsType, Field, ID, Int } from 'type-graphql';
import { RunFilterInput } from '../run-filter.input.js';

@ArgsType()
export class CompareArgs {
  @Field(() => [ID], { nullable: true, description: 'These succeeded conversion runs; otherwise every succeeded run matching filter.' })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(10000)
  runIds?: string[];

  @Field(() => RunFilterInput, { nullable: true })
  @IsOptional()
  filter?: RunFilterInput;

  @Field(() => String, { nullable: true, description: "Metric to compare (default: the runs' primary metric, accuracy or softDice)." })
  @IsOptional()
  @MaxLength(100)
  metric?: string;

  @Field(() => [Int], { nullable: true, description: 'Steps of the matrix (default 1, 2, 4, …, T).' })
  @IsOptional()
  @ArrayMaxSize(4096)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(4096, { each: true })
  steps?: number[];
}
