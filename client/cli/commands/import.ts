// `spikelab import`: imports a checkpoint trained elsewhere (safetensors or tfjs-layers files).
import { type Command, Option } from 'commander';
import { formatOfPath } from '../../api/upload.js';
import { WEIGHT_FORMATS, type WeightFormat } from '../../../src/formats/model.js';
import { withClient } from '../context.js';
import { printJson } from '../output.js';
import { collect } from '../parse.js';

interface ImportOptions {
  format?: WeightFormat;
  alias?: string[];
  onServer?: boolean;
  source?: string;
  json?: boolean;
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('import a checkpoint trained elsewhere into the model store (the file is uploaded unless --on-server)')
    .argument('<model>', 'model name or id the weights belong to')
    .argument('<path>', 'weights: a .safetensors file (PyTorch state_dict layout) or a tfjs-layers model.json with its shards')
    .addOption(new Option('--format <format>', 'checkpoint format (default: from the file name)').choices(WEIGHT_FORMATS))
    .option('--alias <alias>', 'alias for the imported checkpoint, e.g. best (repeatable)', collect)
    .option('--on-server', 'the path is on the server machine: the server reads it (large files)')
    .option('--no-on-server', 'upload the local file (default)')
    .option('--source <text>', 'where the weights come from (default: the path)')
    .option('--json', 'print the checkpoint as JSON')
    .action(async (modelRef: string, path: string, opts: ImportOptions, c: Command) => {
      const cp = await withClient(c, async (client) => {
        const model = await client.findModel(modelRef);
        if (opts.onServer) {
          return client.importCheckpoint({ modelId: model.id, path, format: opts.format ?? formatOfPath(path), source: opts.source ?? path, ...(opts.alias && { aliases: opts.alias }) });
        }
        return client.uploadCheckpoint(model.id, path, { ...(opts.format && { format: opts.format }), ...(opts.alias && { aliases: opts.alias }), ...(opts.source && { source: opts.source }) });
      });
      if (opts.json) return printJson(cp);
      console.log(`imported checkpoint ${cp.id} of model ${modelRef}: ${cp.format}, ${cp.sizeBytes} bytes, sha256 ${cp.sha256.slice(0, 12)}…${cp.aliases.length ? `, aliases ${cp.aliases.join(', ')}` : ''}`);
    });
}
