import { IsIn, IsOptional } from 'class-validator';
import { ArgsType, Field } from 'type-graphql';
import { JOB_KINDS } from '../../registry/jobs.js';
import { RUN_STATUSES } from '../../registry/vocab.js';
import { PageArgs } from '../connection.js';

@ArgsType()
export class JobsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: RUN_STATUSES.join(' | ') })
  @IsOptional()
  @IsIn(RUN_STATUSES)
  status?: string;

  @Field(() => String, { nullable: true, description: JOB_KINDS.join(' | ') })
  @IsOptional()
  @IsIn(JOB_KINDS)
  kind?: string;
}
