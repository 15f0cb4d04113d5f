import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { StepMetricsEvent } from '../../jobs/events.js';

@ObjectType('MetricValue')
export class MetricValueType {
  @Field()
  name!: string;

  @Field(() => Float)
  value!: number;
}

@ObjectType('MetricSeries')
export class MetricSeriesType {
  @Field()
  name!: string;

  @Field(() => [Float], { description: 'values[t-1] = metric after step t, t = 1..T.' })
  values!: number[];
}

@ObjectType('StepMetricsEvent', {
  description:
    'Per-step metrics as a simulation advances. The engine finalises step t only after the last test batch, so a run streams ' +
    'final=false events after every batch (series: the running estimate at every step over the samples so far), then ' +
    'final=true events for t = 1..T (values at that step) once the results are committed, and a last event with done=true.',
})
export class StepMetricsEventType {
  @Field(() => ID)
  runId!: string;

  @Field()
  final!: boolean;

  @Field(() => Int, { nullable: true })
  step!: number | null;

  @Field(() => [MetricValueType], { nullable: true })
  values!: MetricValueType[] | null;

  @Field(() => [MetricSeriesType], { nullable: true })
  series!: MetricSeriesType[] | null;

  @Field(() => Int, { nullable: true })
  batch!: number | null;

  @Field(() => Int, { nullable: true })
  batches!: number | null;

  @Field(() => Int, { nullable: true })
  samples!: number | null;

  @Field()
  done!: boolean;
}

export function toStepMetricsEventType(e: StepMetricsEvent): StepMetricsEventType {
  return Object.assign(new StepMetricsEventType(), {
    runId: String(e.runId),
    final: e.final,
    step: e.step,
    values: e.values ? Object.entries(e.values).map(([name, value]) => ({ name, value })) : null,
    series: e.series ? Object.entries(e.series).map(([name, values]) => ({ name, values })) : null,
    batch: e.batch,
    batches: e.batches,
    samples: e.samples,
    done: e.done,
  });
}
