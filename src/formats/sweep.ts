// Sweeps (issue 12): a grid of conversion configs, the cross product of the values listed for any
// field of the conversion config table, run on each of several checkpoints. The axes take their
// names, value types and bounds from CONVERSION_CONFIG_FIELDS, so a field added to that table is
// an axis everywhere (GraphQL input, registry check, CLI option) without another line here.
import { z } from 'zod';
import { CONVERSION_CONFIG_FIELDS, conversionConfigSchema, type ConversionConfig } from './conversion.js';
import { valueSchema, type FieldValue } from './fields.js';

export type SweepAxisName = keyof typeof CONVERSION_CONFIG_FIELDS;
/** Every field of the conversion config, in the table's order (the order of the cross product). */
export const SWEEP_AXES = Object.keys(CONVERSION_CONFIG_FIELDS) as SweepAxisName[];

/** Values listed per config field. A field left out takes its default; a one-value list fixes it. */
export type SweepAxes = { -readonly [K in SweepAxisName]?: FieldValue<(typeof CONVERSION_CONFIG_FIELDS)[K]>[] };

/** Points (checkpoints × cross product) one sweep may hold. */
export const MAX_SWEEP_POINTS = 1024;
/** Checkpoints one sweep may name. */
export const MAX_SWEEP_CHECKPOINTS = 64;

function axesShape(mode: 'bounded' | 'stored'): Record<string, z.ZodType> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, f] of Object.entries(CONVERSION_CONFIG_FIELDS)) {
    shape[name] = z
      .array(valueSchema(f, mode), { error: `must be a list of values` })
      .min(1, { error: 'list at least one value' })
      .refine((vs) => new Set(vs).size === vs.length, { error: 'lists a value twice' })
      .optional();
  }
  return shape;
}

/** Bounded: every value checked by its field's own schema (the table's bounds), no value twice in a list. */
export const sweepAxesSchema = z.strictObject(axesShape('bounded')) as z.ZodType<SweepAxes, SweepAxes>;
/** Structural: the axes of a stored sweep (also rows written before a bound was tightened). */
export const storedSweepAxesSchema = z.strictObject(axesShape('stored')) as z.ZodType<SweepAxes, SweepAxes>;

/** Number of configs the axes make (the product of the list lengths). */
export function pointCount(axes: SweepAxes): number {
  return SWEEP_AXES.reduce((n, a) => n * (axes[a]?.length ?? 1), 1);
}

/** Names of the axes that list more than one value, in table order. */
export function sweptAxes(axes: SweepAxes): SweepAxisName[] {
  return SWEEP_AXES.filter((a) => (axes[a]?.length ?? 0) > 1);
}

/**
 * The cross product of the axes as complete configs (defaults filled in by the table's schema), in
 * a fixed order: fields in table order, the last listed field varying fastest.
 */
export function crossProduct(axes: SweepAxes): ConversionConfig[] {
  let partial: Record<string, unknown>[] = [{}];
  for (const a of SWEEP_AXES) {
    const values = axes[a];
    if (!values) continue;
    partial = partial.flatMap((p) => values.map((v) => ({ ...p, [a]: v })));
  }
  return partial.map((p) => conversionConfigSchema.parse(p));
}

/** One text per config, equal exactly when every field of the table is equal. */
export function configKey(c: Readonly<Partial<ConversionConfig>>): string {
  return JSON.stringify(SWEEP_AXES.map((a) => c[a] ?? null));
}

/** How an axis value is shown in a pivot's columns and labels. */
export function axisValueText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** A swept field other than the pivot's axis, with its value on one row. */
export interface AxisValue {
  name: string;
  value: string;
}

/** One row of a sweep's pivot: a backbone with the values of the other swept axes fixed. */
export interface SweepPivotRow {
  /** "backbone" or "backbone · gamma 5 · percentile 0.99". */
  label: string;
  /** Model name. */
  backbone: string;
  checkpointId: string;
  /** Values of the other swept axes on this row. */
  others: AxisValue[];
  /** The ANN's metric on the same test samples (null when no run of the row succeeded). */
  annValue: number | null;
  /** SNN metric at the pivot's step, per column (null: that point has not succeeded, or its T is shorter). */
  values: (number | null)[];
  /** The conversion run behind each cell. */
  runIds: (string | null)[];
}

/** Rows = backbone (× the other swept axes), columns = the values of one config axis, cells = the SNN metric at one step. */
export interface SweepPivot {
  sweepId: string;
  /** The config field on the columns. */
  axis: string;
  metric: string;
  /** The step of every cell; null = each run's own T. */
  step: number | null;
  /** The axis values, as listed by the sweep. */
  columns: string[];
  rows: SweepPivotRow[];
}
