// `spikelab model create|import|list`. The spec's options come from the model spec table
// (src/formats/model.ts); --input-shape gives its height, width and channels at once.
import { type Command, Option } from 'commander';
import { MODEL_SPEC_FIELDS, PRETRAINING_KINDS } from '../../../src/formats/model.js';
import { withClient } from '../context.js';
import { addTableOptions, fieldParser, shapeParser } from '../fields.js';
import { collect } from '../parse.js';
import { formatTable, listOrder, orderOption, printJson } from '../output.js';

interface ImportOptions {
  inputShape?: number[];
  classes?: number;
  alias?: string[];
  pretraining?: string;
  description?: string;
  source?: string;
  onServer?: boolean;
  json?: boolean;
}

interface CreateOptions {
  inputShape: number[];
  pretraining?: string;
  description?: string;
  json?: boolean;
}

export function registerModel(program: Command): void {
  const model = program.command('model').description('create and list models (architecture + hyper-parameters)');
  const create = model
    .command('create')
    .description('create a model from the zoo')
    .argument('<name>', 'unique name, e.g. vgg11-fmnist');
  const F = MODEL_SPEC_FIELDS;
  const spec = addTableOptions(create, F, {
    flags: { architecture: '--architecture <arch>', numClasses: '--classes <n>', widthMultiplier: '--width <multiplier>', depth: '--depth <levels>', baseWidth: '--base-width <channels>' },
    skip: ['height', 'width', 'channels'],
    required: ['architecture', 'numClasses'],
  });
  create
    .requiredOption('--input-shape <HxWxC>', 'input image shape, e.g. 28x28x1', shapeParser([F.height, F.width, F.channels]))
    .addOption(new Option('--pretraining <kind>', "how its weights come about (default: the server's)").choices(PRETRAINING_KINDS))
    .option('--description <text>', 'free text')
    .option('--json', 'print the model as JSON')
    .action(async (name: string, o: CreateOptions, c: Command) => {
      const { architecture, numClasses, ...rest } = spec(o);
      const m = await withClient(c, (client) =>
        client.createModel({
          name,
          architecture: architecture!,
          numClasses: numClasses!,
          inputShape: o.inputShape,
          ...(o.pretraining !== undefined && { pretraining: o.pretraining }),
          ...rest,
          ...(o.description !== undefined && { description: o.description }),
        }),
      );
      if (o.json) printJson(m);
      else console.log(`created model ${m.name} (id ${m.id}): ${m.architecture}, ${m.family}, ${m.parameterCount ?? '?'} parameters, ${m.macs ?? '?'} MACs`);
    });
  model
    .command('import')
    .description('register an ONNX file (torch.onnx.export, tf2onnx) as a model with the file as its first checkpoint; the last line printed is `checkpoint <id>`')
    .argument('<name>', 'unique name of the new model')
    .argument('<file>', 'the .onnx file (uploaded unless --on-server)')
    .option('--input-shape <HxWxC>', 'input image shape where the graph leaves it symbolic, e.g. 224x224x3 (checked against the dims it fixes)', shapeParser([F.height, F.width, F.channels]))
    .option('--classes <n>', `classes (checked against the graph's output); ${F.numClasses.description.toLowerCase()}`, fieldParser(F.numClasses))
    .option('--alias <alias>', 'alias of the checkpoint, e.g. best (repeatable)', collect)
    .addOption(new Option('--pretraining <kind>', 'how its weights came about (default imported)').choices(PRETRAINING_KINDS))
    .option('--description <text>', 'free text')
    .option('--source <text>', 'where the file comes from (default: the path)')
    .option('--on-server', 'the path is on the server machine: the server reads it')
    .option('--no-on-server', 'upload the local file (default)')
    .option('--json', 'print the checkpoint and its model as JSON')
    .action(async (name: string, file: string, o: ImportOptions, c: Command) => {
      const options = {
        ...(o.inputShape && { inputShape: o.inputShape }),
        ...(o.classes !== undefined && { numClasses: o.classes }),
        ...(o.alias && { aliases: o.alias }),
        ...(o.pretraining !== undefined && { pretraining: o.pretraining }),
        ...(o.description !== undefined && { description: o.description }),
        ...(o.source !== undefined && { source: o.source }),
      };
      const cp = await withClient(c, (client) => (o.onServer ? client.importOnnxModel({ name, path: file, source: file, ...options }) : client.uploadOnnxModel(name, file, options)));
      if (o.json) return printJson(cp);
      const m = cp.model;
      console.log(`imported model ${m.name} (id ${m.id}): onnx, ${m.family}, input ${m.inputShape.join('×')}, ${m.numClasses} classes, ${m.parameterCount ?? '?'} parameters, ${m.macs ?? '?'} MACs`);
      console.log(`checkpoint ${cp.id}`);
    });
  model
    .command('list')
    .description('list models, newest first')
    .addOption(orderOption())
    .option('--json', 'print JSON')
    .action(async (opts: { order: string; json?: boolean }, c: Command) => {
      const list = await withClient(c, (client) => client.models(undefined, listOrder(opts.order)));
      if (opts.json) return printJson(list);
      console.log(formatTable(['id', 'name', 'architecture', 'family', 'pretraining', 'parameters', 'MACs'],
        list.map((m) => [m.id, m.name, m.architecture, m.family, m.pretraining, m.parameterCount, m.macs])));
    });
}
