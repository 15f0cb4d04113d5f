// Closed vocabularies of the registry's own rows (run and job statuses, token roles), stored as TEXT
// columns (prisma/schema.prisma). The vocabularies of specs and configs live in src/formats.

export const RUN_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const TOKEN_ROLES = ['reader', 'writer', 'admin', 'worker'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

/**
 * What each role may do, as the roles whose fields it may resolve (a field names the roles it
 * needs with type-graphql's @Authorized). reader ⊂ writer ⊂ admin; worker (a remote job worker:
 * fetch inputs, report progress and metrics, upload results) stands apart, and admin holds it too.
 */
export const ROLE_GRANTS: Readonly<Record<TokenRole, readonly TokenRole[]>> = {
  reader: ['reader'],
  writer: ['reader', 'writer'],
  admin: ['reader', 'writer', 'admin', 'worker'],
  worker: ['worker'],
};

/** True when a token of `role` may resolve a field that needs one of `needed`. */
export function roleAllows(role: TokenRole, needed: TokenRole | readonly TokenRole[]): boolean {
  const grants = ROLE_GRANTS[role];
  return typeof needed === 'string' ? grants.includes(needed) : needed.some((n) => grants.includes(n));
}

export function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}
