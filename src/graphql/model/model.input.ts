import { ArrayMaxSize, ArrayMinSize, IsIn, IsInt, IsOptional, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ArgsType, Field, Float, InputType, Int } from 'type-graphql';
import { ARCHITECTURES, MODEL_FAMILIES, NAME_PATTERN, NAME_RULE, PRETRAINING_KINDS } from '../../registry/vocab.js';
import { PageArgs } from '../connection.js';

@InputType()
export class CreateModelInput {
  @Field({ description: 'Unique name, e.g. "resnet18-cifar10-simclr".' })
  @Length(1, 100)
  @Matches(NAME_PATTERN, { message: `name ${NAME_RULE}` })
  name!: string;

  @Field({ description: ARCHITECTURES.join(' | ') })
  @IsIn(ARCHITECTURES)
  architecture!: string;

  @Field(() => String, { nullable: true, description: 'Defaults to the family of the architecture; must agree with it.' })
  @IsOptional()
  @IsIn(MODEL_FAMILIES)
  family?: string;

  @Field({ description: PRETRAINING_KINDS.join(' | ') })
  @IsIn(PRETRAINING_KINDS)
  pretraining: string = 'none';

  @Field(() => [Int], { description: '[height, width, channels] of one input image.' })
  @ArrayMinSize(3)
  @ArrayMaxSize(3)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(8192, { each: true })
  inputShape!: number[];

  @Field(() => Int, { description: 'Classes (1 for binary segmentation).' })
  @Min(1)
  @Max(100000)
  numClasses!: number;

  @Field(() => Float, { description: 'Channel width multiplier (1 = the paper widths).' })
  @Min(0.01)
  @Max(16)
  widthMultiplier: number = 1;

  @Field(() => String, { nullable: true, description: 'ResNet stem: cifar | imagenet.' })
  @IsOptional()
  @IsIn(['cifar', 'imagenet'])
  stem?: string;

  @Field(() => Int, { nullable: true, description: 'UNet levels.' })
  @IsOptional()
  @Min(1)
  @Max(8)
  depth?: number;

  @Field(() => Int, { nullable: true, description: 'UNet channels at the first level.' })
  @IsOptional()
  @Min(1)
  @Max(4096)
  baseWidth?: number;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  batchNorm?: boolean;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(0)
  parameterCount?: number;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @Min(0)
  macs?: number;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  description?: string;
}

@InputType()
export class ModelFilter {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsIn(ARCHITECTURES)
  architecture?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsIn(MODEL_FAMILIES)
  family?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsIn(PRETRAINING_KINDS)
  pretraining?: string;

  @Field(() => String, { nullable: true, description: 'Substring of the name.' })
  @IsOptional()
  @MaxLength(100)
  nameContains?: string;
}

@ArgsType()
export class ModelsArgs extends PageArgs {
  @Field(() => ModelFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  filter?: ModelFilter;
}
