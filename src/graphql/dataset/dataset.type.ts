import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { Dataset as DatasetRow } from '../../registry/datasets.js';
import { Connection } from '../connection.js';

@ObjectType('Dataset', { description: 'A data set the server can read (or generate) for training and conversion.' })
export class DatasetType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({ description: 'idx | cifar10 | lucchi-tiff | lucchi-png | synthetic-classification | synthetic-segmentation' })
  format!: string;

  @Field(() => String, { nullable: true, description: 'Directory on the server (null for synthetic sets).' })
  path!: string | null;

  @Field({ description: 'classification | segmentation' })
  task!: string;

  @Field(() => GraphQLJSONObject, { nullable: true })
  options!: Record<string, unknown> | null;

  @Field(() => [Int], { nullable: true, description: '[height, width, channels]' })
  imageShape!: number[] | null;

  @Field(() => Int, { nullable: true })
  numClasses!: number | null;

  @Field(() => Int, { nullable: true })
  trainSamples!: number | null;

  @Field(() => Int, { nullable: true })
  testSamples!: number | null;

  @Field()
  synthetic!: boolean;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

@ObjectType()
export class DatasetConnection extends Connection(DatasetType, 'Dataset') {}

export function toDatasetType(row: DatasetRow): DatasetType {
  return Object.assign(new DatasetType(), {
    id: String(row.id),
    name: row.name,
    format: row.format,
    path: row.path,
    task: row.task,
    options: row.options,
    imageShape: row.imageShape && [...row.imageShape],
    numClasses: row.numClasses,
    trainSamples: row.trainSamples,
    testSamples: row.testSamples,
    synthetic: row.synthetic,
    description: row.description,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  });
}
