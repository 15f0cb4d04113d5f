// `spikelab import`: imports a checkpoint trained elsewhere (safetensors or tfjs-layers files).
import { Command, Option } from 'commander';

export interface ImportOptions {
  format?: string;
  alias?: string;
  json?: boolean;
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('import a checkpoint trained elsewhere into the model store')
    .argument('<model>', 'model name or id the weights belong to')
    .argument('<path>', 'weights file (.safetensors) or tfjs-layers model.json')
    .addOption(new Option('--format <format>', 'checkpoint format (default: from the file name)').choices(['safetensors', 'tfjs-layers']))
    .option('--alias <alias>', 'alias for the imported checkpoint, e.g. best')
    .option('--json', 'print the checkpoint as JSON')
    .action(async (model: string, path: string, opts: ImportOptions, cmd: Command) => {
      const { runImport } = await import('./import-action.js');
      await runImport(model, path, opts, cmd);
    });
}
