import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, ObjectType } from 'type-graphql';
import type { Checkpoint as CheckpointRow } from '../../registry/checkpoints.js';
import { Connection } from '../connection.js';
import { annExportPath } from '../export-paths.js';

@ObjectType('Checkpoint', { description: 'One version of a model: weights in the content-addressed store.' })
export class CheckpointType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  modelId!: string;

  @Field({ description: 'sha256 (hex) of the weights file in the model store.' })
  sha256!: string;

  @Field(() => Float)
  sizeBytes!: number;

  @Field({ description: 'tfjs-layers | safetensors | onnx (the imported ONNX file itself)' })
  format!: string;

  @Field(() => GraphQLJSONObject, { description: 'CheckpointManifest: spec and weight specs.' })
  manifest!: Record<string, unknown>;

  @Field(() => ID, { nullable: true, description: 'Training run that produced it (null when imported).' })
  trainingRunId!: string | null;

  @Field(() => String, { nullable: true })
  source!: string | null;

  @Field()
  createdAt!: Date;

  @Field({ description: 'Where to download the checkpoint’s ANN as a standalone ONNX file (GET, relative to the server’s base URL; same token as queries): input "input" [N, C, H, W] normalised like the data set, output "output".' })
  annOnnxUrl!: string;
}

@ObjectType()
export class CheckpointConnection extends Connection(CheckpointType, 'Checkpoint') {}

export function toCheckpointType(row: CheckpointRow): CheckpointType {
  return Object.assign(new CheckpointType(), {
    id: String(row.id),
    modelId: String(row.modelId),
    sha256: row.sha256,
    sizeBytes: Number(row.sizeBytes),
    format: row.format,
    manifest: { ...row.manifest },
    trainingRunId: row.trainingRunId == null ? null : String(row.trainingRunId),
    source: row.source,
    createdAt: row.createdAt,
    annOnnxUrl: annExportPath(row.id),
  });
}
