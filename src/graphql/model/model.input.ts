import { ArgsType, Field, Float, InputType, Int } from 'type-graphql';
import { ARCHITECTURES, ZOO_ARCHITECTURES, MODEL_FAMILIES, MODEL_SIZE_LIMITS, MODEL_SPEC_FIELDS as F, NAME_RULE, PRETRAINING_KINDS, describeField } from '../../formats/index.js';
import { PageArgs } from '../connection.js';
import { fieldDoc } from '../field-options.js';

@InputType({ description: `A zoo model; spec fields and bounds from src/formats/model.ts, and at most ${MODEL_SIZE_LIMITS.parameters} parameters / ${MODEL_SIZE_LIMITS.macs} MACs per image.` })
export class CreateModelInput {
  @Field({ description: `Unique among live models, e.g. "resnet18-cifar10-simclr"; ${NAME_RULE}.` })
  name!: string;

  @Field({ description: `${ZOO_ARCHITECTURES.join(' | ')} (an onnx model comes in with its file: importOnnxModel)` })
  architecture!: string;

  @Field(() => String, { nullable: true, description: `${MODEL_FAMILIES.join(' | ')}; defaults to the family of the architecture and must agree with it.` })
  family?: string;

  @Field({ description: PRETRAINING_KINDS.join(' | ') })
  pretraining: string = 'none';

  @Field(() => [Int], { description: `[height, width, channels] of one input image: ${describeField(F.height)}, ${describeField(F.width)}, ${describeField(F.channels)}.` })
  inputShape!: number[];

  @Field(() => Int, fieldDoc(F.numClasses)) numClasses!: number;
  @Field(() => Float, fieldDoc(F.widthMultiplier)) widthMultiplier: number = F.widthMultiplier.default;
  @Field(() => String, fieldDoc(F.stem, true)) stem?: string;
  @Field(() => Int, fieldDoc(F.depth, true)) depth?: number;
  @Field(() => Int, fieldDoc(F.baseWidth, true)) baseWidth?: number;
  @Field(() => Boolean, fieldDoc(F.batchNorm, true)) batchNorm?: boolean;
  @Field(() => String, fieldDoc(F.padding, true)) padding?: string;

  @Field(() => Float, { nullable: true, description: 'Parameters (default: the zoo’s exact count). Float: counts can exceed 2^31.' })
  parameterCount?: number;

  @Field(() => Float, { nullable: true, description: 'Multiply-accumulates per image (default: the zoo’s exact count).' })
  macs?: number;

  @Field(() => String, { nullable: true })
  description?: string;
}

@InputType()
export class ModelFilter {
  @Field(() => String, { nullable: true, description: ARCHITECTURES.join(' | ') })
  architecture?: string;

  @Field(() => String, { nullable: true, description: MODEL_FAMILIES.join(' | ') })
  family?: string;

  @Field(() => String, { nullable: true, description: PRETRAINING_KINDS.join(' | ') })
  pretraining?: string;

  @Field(() => String, { nullable: true, description: 'Substring of the name.' })
  nameContains?: string;
}

@ArgsType()
export class ModelsArgs extends PageArgs {
  @Field(() => ModelFilter, { nullable: true })
  filter?: ModelFilter;
}
