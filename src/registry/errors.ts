// Domain errors of the registry. They know nothing of GraphQL; src/graphql/errors.ts maps them to
// codes once. Each carries the field it concerns when a caller's input is at fault.

export class RegistryError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One field at fault and what is wrong with it. */
export interface InputIssue {
  field: string;
  message: string;
}

/** Caller input is invalid; `field` names the argument or input field at fault (the first of `issues`). */
export class InvalidInputError extends RegistryError {
  readonly issues: readonly InputIssue[];

  constructor(
    readonly field: string,
    message: string,
    more: readonly InputIssue[] = [],
  ) {
    super([`${field}: ${message}`, ...more.map((i) => `${i.field}: ${i.message}`)].join('; '));
    this.issues = [{ field, message }, ...more];
  }
}

export class NotFoundError extends RegistryError {
  constructor(
    readonly entity: string,
    readonly id: string | number,
  ) {
    super(`${entity} ${String(id)} not found`);
  }
}

/** A unique value (e.g. a name) is already taken. */
export class ConflictError extends RegistryError {
  constructor(
    readonly entity: string,
    readonly field: string,
    readonly value: string,
  ) {
    super(`${entity} with ${field} "${value}" already exists`);
  }
}

/** The database cannot be used (not SQLite, not Spikelab's, newer schema); it was left untouched. `path`: the file, or the URL without its password. */
export class DatabaseFileError extends RegistryError {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`refusing to use database ${path}: ${reason}. The ${/^postgres(ql)?:/.test(path) ? 'database' : 'file'} was not modified.`);
  }
}

/** A stored file does not match its sha256 (corruption); it is never loaded. */
export class StoreIntegrityError extends RegistryError {
  constructor(
    readonly sha256: string,
    readonly actual: string,
  ) {
    super(`model store file ${sha256} is corrupt (content hashes to ${actual})`);
  }
}

/**
 * A worker reported on a job it does not hold (it ended, was cancelled, or was taken over by
 * another worker after this one looked dead). The worker must stop working on it.
 */
export class JobNotHeldError extends RegistryError {
  constructor(
    readonly jobId: number,
    readonly workerId: string | null,
  ) {
    super(`job ${jobId} is not running on worker ${workerId ?? '(this server)'}: it ended or another worker took it over`);
  }
}

/** A worker that may not take jobs here (another protocol, an older version, unknown). */
export class WorkerRefusedError extends RegistryError {
  constructor(reason: string) {
    super(reason);
  }
}
