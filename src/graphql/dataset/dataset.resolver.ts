import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { TokenRole } from '../../registry/vocab.js';
import { parseId } from '../../registry/pagination.js';
import { toConnection } from '../connection.js';
import type { Context } from '../context.js';
import { DatasetsArgs, RegisterDatasetInput } from './dataset.input.js';
import { DatasetConnection, DatasetType, toDatasetType } from './dataset.type.js';

@Resolver(() => DatasetType)
export class DatasetResolver {
  @Authorized<TokenRole>('writer')
  @Mutation(() => DatasetType, { description: 'Register a data set (CONFLICT if a live data set has the name).' })
  async registerDataset(@Arg('input', () => RegisterDatasetInput) input: RegisterDatasetInput, @Ctx() ctx: Context): Promise<DatasetType> {
    return toDatasetType(await ctx.registry.datasets.register(input));
  }

  @Authorized<TokenRole>('reader')
  @Query(() => DatasetConnection, { description: 'Data sets, oldest first unless orderBy says otherwise.' })
  async datasets(@Args(() => DatasetsArgs) args: DatasetsArgs, @Ctx() ctx: Context): Promise<DatasetConnection> {
    return toConnection(await ctx.registry.datasets.list(args.filter ?? {}, args), toDatasetType);
  }

  @Authorized<TokenRole>('reader')
  @Query(() => DatasetType)
  async dataset(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<DatasetType> {
    return toDatasetType(await ctx.registry.datasets.get(parseId(id, 'id')));
  }

  @Authorized<TokenRole>('writer')
  @Mutation(() => DatasetType, { description: 'Soft-delete a data set: runs keep it in their history, its name is free again.' })
  async deleteDataset(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<DatasetType> {
    return toDatasetType(await ctx.registry.datasets.softDelete(parseId(id, 'id')));
  }
}
