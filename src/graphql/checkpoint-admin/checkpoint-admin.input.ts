import { ArrayMaxSize, IsIn, IsOptional, Matches, MaxLength } from 'class-validator';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType, Int } from 'type-graphql';
import { ALIAS_PATTERN as ALIAS, MODEL_SPEC_FIELDS as F, NAME_RULE, ONNX_FILE_MAX_BYTES, PRETRAINING_KINDS, WEIGHT_FORMATS, describeField, type CheckpointManifest, type WeightFormat } from '../../formats/index.js';
import { fieldDoc } from '../field-options.js';

@InputType({ description: 'Weights trained elsewhere: a file on the server (path), uploaded bytes (base64) or an upload (uploadId), checked against the model’s architecture.' })
export class ImportCheckpointInput {
  @Field(() => ID)
  modelId!: string;

  @Field({ description: 'safetensors (PyTorch state_dict layout) | tfjs-layers' })
  @IsIn(WEIGHT_FORMATS)
  format!: WeightFormat;

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

@InputType({
  description:
    'An ONNX file (torch.onnx.export, tf2onnx) registered as a model (architecture onnx) with the file as its first checkpoint, in one step: ' +
    `a file on the server (path), its bytes (base64) or an upload (uploadId); at most ${ONNX_FILE_MAX_BYTES} bytes. Family, parameters and MACs come from the graph.`,
})
export class ImportOnnxModelInput {
  @Field({ description: `Unique among live models; ${NAME_RULE}.` })
  name!: string;

  @Field(() => String, { nullable: true, description: 'An .onnx file on the server (read under the server’s data roots).' })
  @IsOptional()
  @MaxLength(4096)
  path?: string;

  @Field(() => String, { nullable: true, description: 'The file’s bytes, base64 (small files).' })
  @IsOptional()
  base64?: string;

  @Field(() => String, { nullable: true, description: 'The file streamed first to PUT /uploads (raw body; answers { uploadId }): for files over a few MB.' })
  @IsOptional()
  uploadId?: string;

  @Field(() => [Int], {
    nullable: true,
    description: `[height, width, channels] of one input image (${describeField(F.height)} ${describeField(F.width)} ${describeField(F.channels)}). Needed where the graph leaves them symbolic; checked against the dims it fixes.`,
  })
  @IsOptional()
  inputShape?: number[];

  @Field(() => Int, { ...fieldDoc(F.numClasses, true), description: `${describeField(F.numClasses)} Checked against the graph's output.` })
  @IsOptional()
  numClasses?: number;

  @Field(() => [String], { nullable: true, description: 'Aliases of the checkpoint, e.g. best.' })
  @IsOptional()
  @ArrayMaxSize(16)
  @Matches(ALIAS, { each: true })
  aliases?: string[];

  @Field({ description: PRETRAINING_KINDS.join(' | ') })
  pretraining: string = 'imported';

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(2000)
  description?: string;

  @Field(() => String, { nullable: true, description: 'Where the file comes from (free text; default: the path, or "uploaded").' })
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
