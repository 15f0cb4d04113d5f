import { IsIn, Length } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { TOKEN_ROLES } from '../../registry/vocab.js';

@InputType()
export class CreateApiTokenInput {
  @Field()
  @Length(1, 100)
  name!: string;

  @Field({ description: TOKEN_ROLES.join(' | ') })
  @IsIn(TOKEN_ROLES)
  role: string = 'reader';

  @Field(() => Date, { nullable: true })
  expiresAt?: Date;
}
