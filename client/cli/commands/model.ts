// `spikelab model create|list`
import { type Command, Option } from 'commander';
import { withClient } from '../context.js';
import { formatTable, printJson } from '../output.js';
import { float, int, shape } from '../parse.js';

const ARCHITECTURES = ['cnn-small', 'vgg11', 'vgg13', 'vgg16', 'vgg18', 'resnet18', 'resnet34', 'resnet50', 'resnet101', 'unet'];
const PRETRAINING = ['none', 'supervised', 'self-supervised', 'contrastive', 'imported'];

interface CreateOptions {
  architecture: string;
  inputShape: number[];
  classes: number;
  width: number;
  pretraining: string;
  stem?: string;
  depth?: number;
  baseWidth?: number;
  batchNorm?: boolean;
  description?: string;
  json?: boolean;
}

export function registerModel(program: Command): void {
  const model = program.command('model').description('create and list models (architecture + hyper-parameters)');
  model
    .command('create')
    .description('create a model from the zoo')
    .argument('<name>', 'unique name, e.g. vgg11-fmnist')
    .addOption(new Option('--architecture <arch>', 'zoo architecture').choices(ARCHITECTURES).makeOptionMandatory())
    .requiredOption('--input-shape <HxWxC>', 'input image shape, e.g. 28x28x1', shape)
    .requiredOption('--classes <n>', 'classes (1 for binary segmentation)', int(1))
    .option('--width <multiplier>', 'channel width multiplier', float(0.01, 16), 1)
    .addOption(new Option('--pretraining <kind>', 'how its weights come about').choices(PRETRAINING).default('none'))
    .addOption(new Option('--stem <stem>', 'ResNet stem').choices(['cifar', 'imagenet']))
    .option('--depth <levels>', 'UNet levels', int(1, 8))
    .option('--base-width <channels>', 'UNet channels at the first level', int(1, 4096))
    .option('--batch-norm', 'batch-norm after convolutions (default: on except cnn-small)')
    .option('--no-batch-norm', 'no batch-norm')
    .option('--description <text>', 'free text')
    .option('--json', 'print the model as JSON')
    .action(async (name: string, o: CreateOptions, cmd: Command) => {
      const m = await withClient(cmd, (c) =>
        c.createModel({
          name,
          architecture: o.architecture,
          inputShape: o.inputShape,
          numClasses: o.classes,
          widthMultiplier: o.width,
          pretraining: o.pretraining,
          ...(o.stem !== undefined && { stem: o.stem }),
          ...(o.depth !== undefined && { depth: o.depth }),
          ...(o.baseWidth !== undefined && { baseWidth: o.baseWidth }),
          ...(o.batchNorm !== undefined && { batchNorm: o.batchNorm }),
          ...(o.description !== undefined && { description: o.description }),
        }),
      );
      if (o.json) printJson(m);
      else console.log(`created model ${m.name} (id ${m.id}): ${m.architecture}, ${m.family}, ${m.parameterCount ?? '?'} parameters, ${m.macs ?? '?'} MACs`);
    });
  model
    .command('list')
    .description('list models')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const list = await withClient(cmd, (c) => c.models());
      if (opts.json) return printJson(list);
      console.log(formatTable(['id', 'name', 'architecture', 'family', 'pretraining', 'parameters', 'MACs'],
        list.map((m) => [m.id, m.name, m.architecture, m.family, m.pretraining, m.parameterCount, m.macs])));
    });
}
