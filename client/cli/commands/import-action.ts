// The work behind `spikelab import` (loaded only when the command runs).
import type { Command } from 'commander';
import { formatOfPath } from '../../api/upload.js';
import { withClient } from '../context.js';
import { printJson } from '../output.js';
import type { ImportOptions } from './import.js';

export async function runImport(modelRef: string, path: string, opts: ImportOptions, cmd: Command): Promise<void> {
  const cp = await withClient(cmd, async (client) => {
    const model = await client.findModel(modelRef);
    if (opts.onServer) {
      return client.importCheckpoint({ modelId: model.id, path, format: opts.format ?? formatOfPath(path), source: opts.source ?? path, ...(opts.alias && { aliases: opts.alias }) });
    }
    return client.uploadCheckpoint(model.id, path, { ...(opts.format && { format: opts.format }), ...(opts.alias && { aliases: opts.alias }), ...(opts.source && { source: opts.source }) });
  });
  if (opts.json) return printJson(cp);
  console.log(`imported checkpoint ${cp.id} of model ${modelRef}: ${cp.format}, ${cp.sizeBytes} bytes, sha256 ${cp.sha256.slice(0, 12)}…${cp.aliases.length ? `, aliases ${cp.aliases.join(', ')}` : ''}`);
}
