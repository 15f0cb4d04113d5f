// Checkpoint and model life cycle beyond the registry basics: import, aliases, soft delete + GC.
import { Arg, Authorized, Ctx, Field, ID, Int, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { TokenRole } from '../../registry/vocab.js';
import { parseId } from '../../registry/pagination.js';
import { CheckpointType, toCheckpointType } from '../checkpoint/checkpoint.type.js';
import type { Context } from '../context.js';
import { ImportCheckpointInput, ImportOnnxModelInput, SetAliasInput } from './checkpoint-admin.input.js';

@ObjectType('DeleteResult', { description: 'A soft delete and the store garbage collection that followed.' })
export class DeleteResultType {
  @Field(() => ID) id!: string;
  @Field(() => Int, { description: 'Stored files removed because nothing references them any more.' }) filesDeleted!: number;
  @Field(() => Int) filesKept!: number;
}

@Resolver()
export class CheckpointAdminResolver {
  @Authorized<TokenRole>('writer')
  @Mutation(() => CheckpointType, { description: 'Import weights (safetensors or tfjs) for a model; BAD_USER_INPUT naming the first mismatching tensor.' })
  async importCheckpoint(@Arg('input', () => ImportCheckpointInput) input: ImportCheckpointInput, @Ctx() ctx: Context): Promise<CheckpointType> {
    const cp = await ctx.importCheckpoint({
      modelId: parseId(input.modelId, 'modelId'),
      format: input.format,
      path: input.path ?? null,
      base64: input.base64 ?? null,
      uploadId: input.uploadId ?? null,
      weightSpecs: input.weightSpecs ?? null,
      aliases: input.aliases ?? null,
      source: input.source ?? null,
    });
    return toCheckpointType(cp);
  }

  @Authorized<TokenRole>('writer')
  @Mutation(() => CheckpointType, {
    description:
      'Register an ONNX file as a model (architecture onnx) and its first checkpoint, in one transaction; returns the checkpoint (its model field is the new model). ' +
      'BAD_USER_INPUT before anything is stored for an unreadable file or an unsupported node (naming the node, its op_type and the supported operations); CONFLICT if a live model has the name.',
  })
  async importOnnxModel(@Arg('input', () => ImportOnnxModelInput) input: ImportOnnxModelInput, @Ctx() ctx: Context): Promise<CheckpointType> {
    const { model, checkpoint } = await ctx.importOnnxModel({
      name: input.name,
      path: input.path ?? null,
      base64: input.base64 ?? null,
      uploadId: input.uploadId ?? null,
      inputShape: input.inputShape ?? null,
      numClasses: input.numClasses ?? null,
      aliases: input.aliases ?? null,
      pretraining: input.pretraining,
      description: input.description ?? null,
      source: input.source ?? null,
    });
    ctx.events.publish('modelCreated', model.id, model);
    return toCheckpointType(checkpoint);
  }

  @Authorized<TokenRole>('writer')
  @Mutation(() => CheckpointType, { description: 'Point an alias of the checkpoint’s model (e.g. best) at this checkpoint.' })
  async setAlias(@Arg('input', () => SetAliasInput) input: SetAliasInput, @Ctx() ctx: Context): Promise<CheckpointType> {
    return toCheckpointType(await ctx.registry.checkpoints.setAlias(parseId(input.checkpointId, 'checkpointId'), input.alias));
  }

  @Authorized<TokenRole>('writer')
  @Mutation(() => DeleteResultType, { description: 'Soft-delete a checkpoint (runs keep their history) and collect unreferenced files.' })
  async deleteCheckpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<DeleteResultType> {
    const gc = await ctx.registry.deletion.checkpoint(parseId(id));
    return Object.assign(new DeleteResultType(), { id, filesDeleted: gc.deleted.length, filesKept: gc.kept });
  }

  @Authorized<TokenRole>('writer')
  @Mutation(() => DeleteResultType, { description: 'Soft-delete a model with its checkpoints and collect their files.' })
  async deleteModel(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<DeleteResultType> {
    const gc = await ctx.registry.deletion.model(parseId(id));
    return Object.assign(new DeleteResultType(), { id, filesDeleted: gc.deleted.length, filesKept: gc.kept });
  }
}
