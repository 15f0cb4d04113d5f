import type { GraphQLScalarType } from 'graphql';
import { ArgsType, Field, Float, ID, InputType, Int } from 'type-graphql';
import { CONVERSION_BACKENDS, CONVERSION_CONFIG_FIELDS, JOB_FIELDS, MAX_SWEEP_CHECKPOINTS, MAX_SWEEP_POINTS, describeField, type FieldSpec, type SweepAxes } from '../../formats/index.js';
import { RUN_STATUSES } from '../../registry/vocab.js';
import { PageArgs } from '../connection.js';
import { fieldDoc } from '../field-options.js';

/**
 * One list field per field of the conversion config table (CONVERSION_CONFIG_FIELDS), declared by a
 * loop over the table rather than by hand, so a field added to the table is an axis here too.
 * Bounds are checked by the registry with the same table.
 */
@InputType({ description: `The values to sweep per conversion config field (the cross product is run). A field left out takes its default; a one-value list fixes it. At most ${MAX_SWEEP_POINTS} points per sweep.` })
export class SweepAxesInput {}

function scalarOf(f: FieldSpec): GraphQLScalarType | BooleanConstructor | StringConstructor {
  switch (f.type) {
    case 'int':
      return Int;
    case 'number':
      return Float;
    case 'boolean':
      return Boolean;
    case 'choice':
      return String;
  }
}

for (const [name, f] of Object.entries(CONVERSION_CONFIG_FIELDS)) {
  Field(() => [scalarOf(f)], { nullable: true, description: `Values of ${name}: ${describeField(f)}` })(SweepAxesInput.prototype, name);
}

@InputType({ description: 'Checked (bounds, every checkpoint, fit of model and data) before anything is queued.' })
export class StartSweepInput {
  @Field(() => [ID], { description: `Checkpoints to sweep (1..${MAX_SWEEP_CHECKPOINTS}); the same grid runs on each.` })
  checkpointIds!: string[];

  @Field(() => ID)
  datasetId!: string;

  @Field(() => SweepAxesInput, { nullable: true })
  axes?: SweepAxesInput;

  @Field(() => Int, fieldDoc(JOB_FIELDS.maxSamples, true))
  maxSamples?: number;

  @Field(() => String, { nullable: true, description: `Execution provider of every point: ${CONVERSION_BACKENDS.join(' | ')} (default auto: the server's choice)` })
  backend?: string;

  @Field({ description: 'Compute every point again; false: a point whose identical run succeeded before reuses that run (cached: true on the point).' })
  force: boolean = false;

  @Field(() => Int, fieldDoc(JOB_FIELDS.priority)) priority: number = JOB_FIELDS.priority.default;
  @Field(() => Int, fieldDoc(JOB_FIELDS.maxAttempts)) maxAttempts: number = JOB_FIELDS.maxAttempts.default;
}

/** The axes as the registry takes them (it checks every value against the table). */
export function toSweepAxes(input: SweepAxesInput | undefined): SweepAxes | null {
  if (!input) return null;
  const given = input as Record<string, unknown>;
  return Object.fromEntries(Object.keys(CONVERSION_CONFIG_FIELDS).filter((k) => given[k] != null).map((k) => [k, given[k]]));
}

@ArgsType()
export class SweepsArgs extends PageArgs {
  @Field(() => ID, { nullable: true })
  datasetId?: string;

  @Field(() => String, { nullable: true, description: RUN_STATUSES.join(' | ') })
  status?: string;
}
