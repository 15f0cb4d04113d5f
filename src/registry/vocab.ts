// Closed vocabularies of the registry's own rows (run and job statuses, token roles), stored as TEXT
// columns (prisma/schema.prisma). The vocabularies of specs and configs live in src/formats.

export const RUN_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const TOKEN_ROLES = ['reader', 'writer', 'admin'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

export function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}
