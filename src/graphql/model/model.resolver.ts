import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { TokenRole } from '../../registry/vocab.js';
import { parseId } from '../../registry/pagination.js';
import type { Model } from '../../registry/records.js';
import { toConnection } from '../connection.js';
import type { Context } from '../context.js';
import { CreateModelInput, ModelsArgs } from './model.input.js';
import { ModelConnection, ModelType, toModelType } from './model.type.js';

@Resolver(() => ModelType)
export class ModelResolver {
  @Authorized<TokenRole>('writer')
  @Mutation(() => ModelType, { description: 'Create a model (BAD_USER_INPUT past the spec bounds, before anything is stored; CONFLICT if a live model has the name).' })
  async createModel(@Arg('input', () => CreateModelInput) input: CreateModelInput, @Ctx() ctx: Context): Promise<ModelType> {
    const model = await ctx.registry.models.create(input);
    ctx.events.publish('modelCreated', model.id, model);
    return toModelType(model);
  }

  @Authorized<TokenRole>('reader')
  @Query(() => ModelConnection, { description: 'Models, oldest first unless orderBy says otherwise.' })
  async models(@Args(() => ModelsArgs) args: ModelsArgs, @Ctx() ctx: Context): Promise<ModelConnection> {
    return toConnection(await ctx.registry.models.list(args.filter ?? {}, args), toModelType);
  }

  @Authorized<TokenRole>('reader')
  @Query(() => ModelType)
  async model(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<ModelType> {
    return toModelType(await ctx.registry.models.get(parseId(id, 'id')));
  }

  @Authorized<TokenRole>('reader')
  @Subscription(() => ModelType, {
    description: 'Each model as it is created.',
    subscribe: ({ context }) => (context as Context).events.subscribe('modelCreated', '*'),
  })
  modelCreated(@Root() model: Model): ModelType {
    return toModelType(model);
  }
}
