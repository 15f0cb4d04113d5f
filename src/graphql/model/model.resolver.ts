import { Arg, Args, Authorized, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { TokenRole } from '../../registry/vocab.js';
import { parseId } from '../../registry/pagination.js';
import { toConnection } from '../connection.js';
import type { Context } from '../context.js';
import { TOPICS } from '../pubsub.js';
import { CreateModelInput, ModelsArgs } from './model.input.js';
import { ModelConnection, ModelType, toModelType } from './model.type.js';

@Resolver(() => ModelType)
export class ModelResolver {
  @Authorized<TokenRole>('writer')
  @Mutation(() => ModelType, { description: 'Create a model (CONFLICT if the name is taken).' })
  async createModel(@Arg('input', () => CreateModelInput) input: CreateModelInput, @Ctx() ctx: Context): Promise<ModelType> {
    const model = toModelType(await ctx.registry.models.create(input));
    ctx.pubSub.publish(TOPICS.MODEL_CREATED, model);
    return model;
  }

  @Authorized<TokenRole>('reader')
  @Query(() => ModelConnection, { description: 'Models, oldest first.' })
  async models(@Args(() => ModelsArgs) args: ModelsArgs, @Ctx() ctx: Context): Promise<ModelConnection> {
    return toConnection(await ctx.registry.models.list(args.filter ?? {}, args), toModelType);
  }

  @Authorized<TokenRole>('reader')
  @Query(() => ModelType)
  async model(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<ModelType> {
    return toModelType(await ctx.registry.models.get(parseId(id, 'id')));
  }

  @Authorized<TokenRole>('reader')
  @Subscription(() => ModelType, { topics: TOPICS.MODEL_CREATED, description: 'Each model as it is created.' })
  modelCreated(@Root() model: ModelType): ModelType {
    return model;
  }
}
