// Queue settings every job takes (training, conversion), in one table.
import type { FieldTable } from './fields.js';

export const JOB_FIELDS = {
  priority: { type: 'int', min: -100, max: 100, default: 0, description: 'Higher runs first' },
  maxAttempts: { type: 'int', min: 1, max: 10, default: 3, description: 'Tries before the job is FAILED when its worker dies' },
  maxSamples: { type: 'int', min: 1, max: 2147483647, description: 'Simulate at most this many test samples (default all)' },
} as const satisfies FieldTable;
