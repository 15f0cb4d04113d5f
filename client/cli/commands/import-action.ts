// The work behind `spikelab import`. The server has no importCheckpoint mutation in schema.graphql
// yet, so the command says so and fails rather than pretending.
import type { Command } from 'commander';
import { SpikelabError } from '../../api/errors.js';
import type { ImportOptions } from './import.js';

export function runImport(_model: string, _path: string, _opts: ImportOptions, _cmd: Command): Promise<void> {
  return Promise.reject(new SpikelabError('import is not available: the server does not expose importCheckpoint in schema.graphql yet', 'NOT_IMPLEMENTED'));
}
