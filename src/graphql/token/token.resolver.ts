import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { TokenRole } from '../../registry/vocab.js';
import { parseId } from '../../registry/pagination.js';
import type { Context } from '../context.js';
import { CreateApiTokenInput } from './token.input.js';
import { ApiTokenType, CreatedApiTokenType, toApiTokenType } from './token.type.js';

/** Token management needs an admin token once any token exists (enforced by the auth plugin). */
@Resolver(() => ApiTokenType)
export class TokenResolver {
  @Authorized<TokenRole>('admin')
  @Query(() => [ApiTokenType], { description: 'All API tokens (admin).' })
  async apiTokens(@Ctx() ctx: Context): Promise<ApiTokenType[]> {
    return (await ctx.registry.tokens.list()).map(toApiTokenType);
  }

  @Authorized<TokenRole>('admin')
  @Mutation(() => CreatedApiTokenType, { description: 'Create an API token (admin); the secret is returned once.' })
  async createApiToken(@Arg('input', () => CreateApiTokenInput) input: CreateApiTokenInput, @Ctx() ctx: Context): Promise<CreatedApiTokenType> {
    const { token, secret } = await ctx.registry.tokens.create(input.name, input.role, input.expiresAt ?? null);
    return Object.assign(new CreatedApiTokenType(), { token: toApiTokenType(token), secret });
  }

  @Authorized<TokenRole>('admin')
  @Mutation(() => ApiTokenType, { description: 'Revoke an API token (admin).' })
  async revokeApiToken(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<ApiTokenType> {
    return toApiTokenType(await ctx.registry.tokens.revoke(parseId(id)));
  }
}
