import { Args, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { TokenRole } from '../../registry/vocab.js';
import { parseId } from '../../registry/pagination.js';
import type { Context } from '../context.js';
import { toRunFilter } from '../run-filter.input.js';
import { CompareArgs } from './compare.input.js';
import { CompareMatrixType } from './compare.type.js';

@Resolver(() => CompareMatrixType)
export class CompareResolver {
  @Authorized<TokenRole>('reader')
  @Query(() => CompareMatrixType, { description: 'Which backbone converts best: ANN reference, SNN metric at each step, accuracy loss, best step, first step within 1 point, SOPs, energy ratio. With sweepId: the sweep\'s points, and its pivot (rows = backbone, columns = one config axis).' })
  async compare(@Args(() => CompareArgs) args: CompareArgs, @Ctx() ctx: Context): Promise<CompareMatrixType> {
    return ctx.registry.compare.compare({
      runIds: args.runIds?.map((id) => parseId(id, 'runIds')) ?? null,
      filter: toRunFilter(args.filter),
      metric: args.metric ?? null,
      steps: args.steps ?? null,
      sweepId: args.sweepId == null ? null : parseId(args.sweepId, 'sweepId'),
      axis: args.axis ?? null,
      step: args.step ?? null,
    });
  }
}
