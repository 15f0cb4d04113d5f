import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { Model as ModelRow } from '../../registry/models.js';
import { Connection } from '../connection.js';

@ObjectType('Model', { description: 'An ANN backbone: architecture + spec; its weights are its checkpoints.' })
export class ModelType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({ description: 'cnn-small | vgg11..vgg18 | resnet18..resnet101 | unet (the zoo) | onnx (imported from an ONNX file: converted, compared and exported like the others, never trained here)' })
  architecture!: string;

  @Field({ description: 'plain | residual | encoder-decoder' })
  family!: string;

  @Field({ description: 'supervised | self-supervised | contrastive | imported | none' })
  pretraining!: string;

  @Field(() => Float, { nullable: true, description: 'Trainable parameters (Float: counts can exceed 2^31).' })
  parameterCount!: number | null;

  @Field(() => Float, { nullable: true, description: 'Multiply-accumulates per sample (one forward pass).' })
  macs!: number | null;

  @Field(() => [Int], { description: '[height, width, channels] of one input.' })
  inputShape!: number[];

  @Field(() => Int)
  numClasses!: number;

  @Field(() => GraphQLJSONObject, { description: 'The full ModelSpec (an onnx model’s: inputShape, numClasses, task).' })
  spec!: Record<string, unknown>;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

@ObjectType()
export class ModelConnection extends Connection(ModelType, 'Model') {}

export function toModelType(row: ModelRow): ModelType {
  const spec = row.spec;
  return Object.assign(new ModelType(), {
    id: String(row.id),
    name: row.name,
    architecture: row.architecture,
    family: row.family,
    pretraining: row.pretraining,
    parameterCount: row.parameterCount,
    macs: row.macs,
    inputShape: [...spec.inputShape],
    numClasses: spec.numClasses,
    spec: { ...spec },
    description: row.description,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });
}
