// `spikelab import`: imports a checkpoint trained elsewhere (safetensors or tfjs-layers files).
import { type Command, Option } from 'commander';
import { collect } from '../parse.js';

export interface ImportOptions {
  format?: 'safetensors' | 'tfjs-layers';
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
    .addOption(new Option('--format <format>', 'checkpoint format (default: from the file name)').choices(['safetensors', 'tfjs-layers']))
    .option('--alias <alias>', 'alias for the imported checkpoint, e.g. best (repeatable)', collect)
    .option('--on-server', 'the path is on the server machine: the server reads it (large files)')
    .option('--no-on-server', 'upload the local file (default)')
    .option('--source <text>', 'where the weights come from (default: the path)')
    .option('--json', 'print the checkpoint as JSON')
    .action(async (model: string, path: string, opts: ImportOptions, cmd: Command) => {
      const { runImport } = await import('./import-action.js');
      await runImport(model, path, opts, cmd);
    });
}
