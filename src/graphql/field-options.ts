// GraphQL descriptions and defaults derived from the field tables of src/formats: an input class
// names its field's table entry and never repeats a number. Bounds are checked by the registry
// with the same tables (a resolver hands the input on unchanged).
import { describeField, type FieldSpec } from '../formats/index.js';

/** `{ description }` for @Field, from the table entry (range and default included). */
export function fieldDoc(f: FieldSpec, nullable = false): { description: string; nullable?: true } {
  return nullable ? { description: describeField(f), nullable: true } : { description: describeField(f) };
}
