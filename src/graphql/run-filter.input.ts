// The filter shared by trainingRuns, conversionRuns and compare (checked by registry/runs.ts).
import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { ARCHITECTURES, MODEL_FAMILIES, PRETRAINING_KINDS } from '../formats/index.js';
import { parseId } from '../registry/pagination.js';
import type { RunFilter } from '../registry/runs.js';
import { RUN_STATUSES } from '../registry/vocab.js';

@InputType({ description: 'Every field narrows the set; absent fields do not filter.' })
export class RunFilterInput {
  @Field(() => ID, { nullable: true })
  datasetId?: string;

  @Field(() => ID, { nullable: true })
  modelId?: string;

  @Field(() => String, { nullable: true, description: ARCHITECTURES.join(' | ') })
  architecture?: string;

  @Field(() => String, { nullable: true, description: MODEL_FAMILIES.join(' | ') })
  family?: string;

  @Field(() => String, { nullable: true, description: PRETRAINING_KINDS.join(' | ') })
  pretraining?: string;

  @Field(() => Float, { nullable: true, description: 'Smallest backbone size (parameters), inclusive.' })
  minParameters?: number;

  @Field(() => Float, { nullable: true, description: 'Largest backbone size (parameters), inclusive.' })
  maxParameters?: number;

  @Field(() => String, { nullable: true, description: RUN_STATUSES.join(' | ') })
  status?: string;

  @Field(() => String, { nullable: true, description: 'Checkpoint alias, e.g. "best".' })
  alias?: string;

  @Field(() => Int, { nullable: true, description: 'Conversion runs with this T only.' })
  timeSteps?: number;

  @Field(() => ID, { nullable: true, description: 'Conversion runs that are points of this sweep (computed by it or reused from the registry).' })
  sweepId?: string;
}

export function toRunFilter(f: RunFilterInput | undefined | null): RunFilter {
  if (!f) return {};
  return {
    datasetId: f.datasetId == null ? null : parseId(f.datasetId, 'filter.datasetId'),
    modelId: f.modelId == null ? null : parseId(f.modelId, 'filter.modelId'),
    architecture: f.architecture,
    family: f.family,
    pretraining: f.pretraining,
    minParameters: f.minParameters,
    maxParameters: f.maxParameters,
    status: f.status,
    alias: f.alias,
    timeSteps: f.timeSteps,
    sweepId: f.sweepId == null ? null : parseId(f.sweepId, 'filter.sweepId'),
  };
}
