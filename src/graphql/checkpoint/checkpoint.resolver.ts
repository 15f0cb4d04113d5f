import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { TokenRole } from '../../registry/vocab.js';
import { NotFoundError } from '../../registry/errors.js';
import { parseId } from '../../registry/pagination.js';
import { toConnection } from '../connection.js';
import type { Context } from '../context.js';
import { ModelType, toModelType } from '../model/model.type.js';
import { CheckpointsArgs } from './checkpoint.input.js';
import { CheckpointConnection, CheckpointType, toCheckpointType } from './checkpoint.type.js';

@Resolver(() => CheckpointType)
export class CheckpointResolver {
  @Authorized<TokenRole>('reader')
  @Query(() => CheckpointConnection, { description: 'Checkpoints of a model, oldest first unless orderBy says otherwise.' })
  async checkpoints(@Args(() => CheckpointsArgs) args: CheckpointsArgs, @Ctx() ctx: Context): Promise<CheckpointConnection> {
    const { filter } = args;
    const page = await ctx.registry.checkpoints.list(
      parseId(args.modelId, 'modelId'),
      {
        format: filter?.format,
        alias: filter?.alias,
        trainingRunId: filter?.trainingRunId == null ? null : parseId(filter.trainingRunId, 'filter.trainingRunId'),
      },
      args,
    );
    return toConnection(page, toCheckpointType);
  }

  @Authorized<TokenRole>('reader')
  @Query(() => CheckpointType, { description: 'A live checkpoint by id (NOT_FOUND otherwise).' })
  async checkpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<CheckpointType> {
    return toCheckpointType(await ctx.registry.checkpoints.get(parseId(id)));
  }

  @FieldResolver(() => ModelType)
  async model(@Root() checkpoint: CheckpointType, @Ctx() ctx: Context): Promise<ModelType> {
    const row = await ctx.loaders.modelById.load(Number(checkpoint.modelId));
    if (!row) throw new NotFoundError('Model', checkpoint.modelId);
    return toModelType(row);
  }

  @FieldResolver(() => [String], { description: 'Aliases (e.g. "best") pointing at this checkpoint.' })
  async aliases(@Root() checkpoint: CheckpointType, @Ctx() ctx: Context): Promise<string[]> {
    return ctx.loaders.checkpointAliases.load(Number(checkpoint.id));
  }
}
