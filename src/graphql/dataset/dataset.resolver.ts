import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { TokenRole } from '../../registry/vocab.js';
import { parseId } from '../../registry/pagination.js';
import { toConnection } from '../connection.js';
import type { Context } from '../context.js';
import { TOPICS } from '../pubsub.js';
import { DatasetsArgs, RegisterDatasetInput } from './dataset.input.js';
import { DatasetConnection, DatasetType, toDatasetType } from './dataset.type.js';

@Resolver(() => DatasetType)
export class DatasetResolver {
  @Authorized<TokenRole>('writer')
  @Mutation(() => DatasetType, { description: 'Register a data set (CONFLICT if the name is taken).' })
  async registerDataset(@Arg('input', () => RegisterDatasetInput) input: RegisterDatasetInput, @Ctx() ctx: Context): Promise<DatasetType> {
    const dataset = toDatasetType(await ctx.registry.datasets.register(input));
    ctx.pubSub.publish(TOPICS.DATASET_REGISTERED, dataset);
    return dataset;
  }

  @Authorized<TokenRole>('reader')
  @Query(() => DatasetConnection, { description: 'Data sets, oldest first.' })
  async datasets(@Args(() => DatasetsArgs) args: DatasetsArgs, @Ctx() ctx: Context): Promise<DatasetConnection> {
    const page = await ctx.registry.datasets.list(args.filter ?? {}, args);
    return toConnection(page, toDatasetType);
  }

  @Authorized<TokenRole>('reader')
  @Query(() => DatasetType)
  async dataset(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<DatasetType> {
    return toDatasetType(await ctx.registry.datasets.get(parseId(id, 'id')));
  }
}
