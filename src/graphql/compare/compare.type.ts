import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { CompareMatrix, CompareRow } from '../../formats/index.js';

// simpleResolvers: plain property reads, no per-field middleware wrapper (a matrix has thousands of fields)
@ObjectType('CompareRow', { description: 'One conversion run (backbone) of the comparison.', simpleResolvers: true })
export class CompareRowType implements CompareRow {
  @Field(() => ID) conversionRunId!: string;
  @Field({ description: 'Model name.' }) backbone!: string;
  @Field() architecture!: string;
  @Field() family!: string;
  @Field(() => Float, { description: 'Parameters of the backbone.' }) parameterCount!: number;
  @Field() pretraining!: string;
  @Field() dataset!: string;
  @Field() metric!: string;
  @Field(() => Int) timeSteps!: number;
  @Field(() => Float) annValue!: number;
  @Field(() => [Float], { nullable: 'items', description: 'SNN metric at CompareMatrix.steps (null beyond this run’s T).' }) values!: (number | null)[];
  @Field(() => [Float], { nullable: 'items', description: 'ANN − SNN at the same steps.' }) losses!: (number | null)[];
  @Field(() => Float) best!: number;
  @Field(() => Int) bestStep!: number;
  @Field(() => Int, { nullable: true, description: 'First step t with SNN_t ≥ ANN − 0.01 (a step above the ANN counts), or null.' }) firstStepWithin1!: number | null;
  @Field(() => Float) lossAtT!: number;
  @Field(() => Float) sops!: number;
  @Field(() => Float) annMacs!: number;
  @Field(() => Float) energyRatio!: number;
}

@ObjectType('CompareMatrix', { description: 'Backbone × time-step matrix (src/formats/compare.ts).', simpleResolvers: true })
export class CompareMatrixType implements CompareMatrix {
  @Field() metric!: string;
  @Field(() => [Int]) steps!: number[];
  @Field(() => [CompareRowType]) rows!: CompareRowType[];
}
