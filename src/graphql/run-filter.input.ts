// The filter shared by trainingRuns, conversionRuns and compare.
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { parseId } from '../registry/pagination.js';
import type { RunFilter } from '../registry/runs.js';
import { ARCHITECTURES, MODEL_FAMILIES, PRETRAINING_KINDS, RUN_STATUSES } from '../registry/vocab.js';

@InputType({ description: 'Every field narrows the set; absent fields do not filter.' })
export class RunFilterInput {
  @Field(() => ID, { nullable: true })
  @IsOptional()
  datasetId?: string;

  @Field(() => ID, { nullable: true })
  @IsOptional()
  modelId?: string;

  @Field(() => String, { nullable: true, description: ARCHITECTURES.join(' | ') })
  @IsOptional()
  @IsIn(ARCHITECTURES)
  architecture?: string;

  @Field(() => String, { nullable: true, description: MODEL_FAMILIES.join(' | ') })
  @IsOptional()
  @IsIn(MODEL_FAMILIES)
  family?: string;

  @Field(() => String, { nullable: true, description: PRETRAINING_KINDS.join(' | ') })
  @IsOptional()
  @IsIn(PRETRAINING_KINDS)
  pretraining?: string;

  @Field(() => Int, { nullable: true, description: 'Smallest backbone size (parameters), inclusive.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  minParameters?: number;

  @Field(() => Int, { nullable: true, description: 'Largest backbone size (parameters), inclusive.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  maxParameters?: number;

  @Field(() => String, { nullable: true, description: RUN_STATUSES.join(' | ') })
  @IsOptional()
  @IsIn(RUN_STATUSES)
  status?: string;

  @Field(() => String, { nullable: true, description: 'Checkpoint alias, e.g. "best".' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)
  alias?: string;

  @Field(() => Int, { nullable: true, description: 'Conversion runs with this T only.' })
  @IsOptional()
  @Min(1)
  @Max(4096)
  timeSteps?: number;
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
  };
}
