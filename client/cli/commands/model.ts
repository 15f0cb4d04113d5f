// `spikelab model create|list`. The spec's options come from the model spec table
// (src/formats/model.ts); --input-shape gives its height, width and channels at once.
import { type Command, Option } from 'commander';
import { MODEL_SPEC_FIELDS, PRETRAINING_KINDS } from '../../../src/formats/model.js';
import { withClient } from '../context.js';
import { addTableOptions, shapeParser } from '../fields.js';
import { formatTable, listOrder, orderOption, printJson } from '../output.js';

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
