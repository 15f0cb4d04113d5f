// Typed errors of the dataset readers. They name the file and what is wrong with it.

/** A file does not hold what its format promises (magic, sizes, counts, dimensions). */
export class DatasetFormatError extends Error {
  override readonly name = 'DatasetFormatError';

  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/** A dataset spec or option is invalid (unknown format, missing path, bad option value). */
export class DatasetSpecError extends Error {
  override readonly name = 'DatasetSpecError';

  constructor(message: string) {
    super(message);
  }
}

/** A server-side path that may not or cannot be read (outside the data roots, not a regular file, too large, too slow). */
export class FileAccessError extends Error {
  override readonly name = 'FileAccessError';

  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file} ${problem}`);
  }
}
