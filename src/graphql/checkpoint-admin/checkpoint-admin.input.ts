import { ArrayMaxSize, IsIn, IsOptional, Matches, MaxLength } from 'class-validator';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType } from 'type-graphql';
import { ALIAS_PATTERN as ALIAS, CHECKPOINT_FORMATS, type CheckpointManifest } from '../../formats/index.js';

@InputType({ description: 'Weights trained elsewhere: a file on the server (path), uploaded bytes (base64) or an upload (uploadId), checked against the model’s architecture.' })
export class ImportCheckpointInput {
  @Field(() => ID)
  modelId!: string;

  @Field({ description: 'safetensors (PyTorch state_dict layout) | tfjs-layers' })
  @IsIn(CHECKPOINT_FORMATS)
  format!: 'safetensors' | 'tfjs-layers';

  @Field(() => String, { nullable: true, description: 'safetensors: the .safetensors file; tfjs-layers: model.json with its .bin files beside it.' })
  @IsOptional()
  @MaxLength(4096)
  path?: string;

  @Field(() => String, { nullable: true, description: 'The file’s bytes, base64 (tfjs-layers: the weight bytes, with weightSpecs).' })
  @IsOptional()
  base64?: string;

  @Field(() => String, { nullable: true, description: 'The same bytes streamed first to PUT /uploads (raw body; answers { uploadId }): for files over a few MB.' })
  @IsOptional()
  uploadId?: string;

  @Field(() => GraphQLJSON, { nullable: true, description: 'tfjs-layers uploads: [{name, shape, dtype}] in payload order.' })
  @IsOptional()
  weightSpecs?: CheckpointManifest['weightSpecs'];

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(16)
  @Matches(ALIAS, { each: true })
  aliases?: string[];

  @Field(() => String, { nullable: true, description: 'Where the weights come from (free text).' })
  @IsOptional()
  @MaxLength(2000)
  source?: string;
}

@InputType()
export class SetAliasInput {
  @Field(() => ID)
  checkpointId!: string;

  @Field({ description: 'e.g. best, latest, paper' })
  @Matches(ALIAS)
  alias!: string;
}
