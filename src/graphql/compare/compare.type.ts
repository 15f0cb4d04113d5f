import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { AxisValue, CompareMatrix, CompareRow, SweepPivot, SweepPivotRow } from '../../formats/index.js';

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

@ObjectType('AxisValue', { simpleResolvers: true })
export class AxisValueType implements AxisValue {
  @Field() name!: string;
  @Field() value!: string;
}

@ObjectType('SweepPivotRow', { description: 'A backbone with the values of the other swept axes fixed.', simpleResolvers: true })
export class SweepPivotRowType implements SweepPivotRow {
  @Field({ description: 'backbone · axis value · …' }) label!: string;
  @Field({ description: 'Model name.' }) backbone!: string;
  @Field(() => ID) checkpointId!: string;
  @Field(() => [AxisValueType], { description: 'The other swept axes on this row.' }) others!: AxisValueType[];
  @Field(() => Float, { nullable: true, description: "The ANN's metric on the same test samples." }) annValue!: number | null;
  @Field(() => [Float], { nullable: 'items', description: "SNN metric at the pivot's step per column (null: not succeeded, or the run's T is shorter)." }) values!: (number | null)[];
  @Field(() => [ID], { nullable: 'items', description: 'The conversion run of each cell.' }) runIds!: (string | null)[];
}

@ObjectType('SweepPivot', { description: 'A sweep with rows = backbone (× other swept axes), columns = the values of one config axis, cells = the SNN metric at one step (src/formats/sweep.ts).', simpleResolvers: true })
export class SweepPivotType implements SweepPivot {
  @Field(() => ID) sweepId!: string;
  @Field({ description: 'The config field on the columns.' }) axis!: string;
  @Field() metric!: string;
  @Field(() => Int, { nullable: true, description: "The step of every cell (null: each run's T)." }) step!: number | null;
  @Field(() => [String]) columns!: string[];
  @Field(() => [SweepPivotRowType]) rows!: SweepPivotRowType[];
}

@ObjectType('CompareMatrix', { description: 'Backbone × time-step matrix (src/formats/compare.ts).', simpleResolvers: true })
export class CompareMatrixType implements CompareMatrix {
  @Field() metric!: string;
  @Field(() => [Int]) steps!: number[];
  @Field(() => [CompareRowType]) rows!: CompareRowType[];
  @Field(() => SweepPivotType, { nullable: true, description: 'compare(sweepId:): the sweep pivoted on one config axis.' }) pivot?: SweepPivotType | null;
}
