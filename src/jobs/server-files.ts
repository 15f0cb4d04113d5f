// Files on the server's disk that a caller names (an ONNX model to import): only regular files,
// bounded in size, errors in our words.
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidInputError } from '../registry/errors.js';
import type { JobEnv } from './execution.js';

export async function readServerFile(_env: JobEnv, path: string, maxBytes: number): Promise<Buffer> {
  const abs = resolve(path);
  const st = await stat(abs).catch(() => null);
  if (st === null) throw new InvalidInputError('path', `${abs} does not exist`);
  if (!st.isFile()) throw new InvalidInputError('path', `${abs} is not a regular file`);
  if (st.size > maxBytes) throw new InvalidInputError('path', `${abs} has ${st.size} bytes; at most ${maxBytes} are read`);
  return readFile(abs);
}
