import { Field, ID, ObjectType } from 'type-graphql';
import type { ApiToken } from '../../registry/tokens.js';

@ObjectType('ApiToken', { description: 'An API token (the secret is never stored, only its sha256).' })
export class ApiTokenType {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field({ description: 'reader | writer | admin' }) role!: string;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => Date, { nullable: true }) expiresAt!: Date | null;
  @Field(() => Date, { nullable: true }) revokedAt!: Date | null;
}

@ObjectType('CreatedApiToken')
export class CreatedApiTokenType {
  @Field(() => ApiTokenType) token!: ApiTokenType;
  @Field({ description: 'Send as `Authorization: Bearer <secret>`. Shown only now.' }) secret!: string;
}

export function toApiTokenType(t: ApiToken): ApiTokenType {
  const { name, role, createdAt, lastUsedAt, expiresAt, revokedAt } = t;
  return Object.assign(new ApiTokenType(), { id: String(t.id), name, role, createdAt, lastUsedAt, expiresAt, revokedAt });
}
