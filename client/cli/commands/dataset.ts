// `spikelab dataset add|list`. Formats, tasks and shape bounds come from src/formats/dataset.ts.
import { type Command, Option } from 'commander';
import { TASKS } from '../../../src/formats/conversion.js';
import { DATASET_FIELDS, DATASET_FORMATS } from '../../../src/formats/dataset.js';
import { withClient } from '../context.js';
import { fieldOption, shapeParser } from '../fields.js';
import { formatTable, listOrder, orderOption, printJson } from '../output.js';
import { keyValue } from '../parse.js';

interface AddOptions {
  format: string;
  path?: string;
  task?: string;
  option?: Record<string, string | number | boolean>;
  imageShape?: number[];
  classes?: number;
  description?: string;
  json?: boolean;
}

export function registerDataset(program: Command): void {
  const dataset = program.command('dataset').description('register and list data sets');
  const F = DATASET_FIELDS;
  dataset
    .command('add')
    .description('register a data set the server can read (a directory on the server, or a synthetic generator)')
    .argument('<name>', 'unique name, e.g. fashion-mnist')
    .addOption(new Option('--format <format>', 'file format').choices(DATASET_FORMATS).makeOptionMandatory())
    .option('--path <dir>', 'directory on the server (required unless synthetic)')
    .addOption(new Option('--task <task>', 'defaults to what the format implies').choices(TASKS))
    .option('--option <key=value>', 'reader / generator option (repeatable), e.g. --option trainSamples=512', keyValue)
    .option('--image-shape <HxWxC>', 'image shape, e.g. 28x28x1 (inspected from the files when omitted)', shapeParser([F.height, F.width, F.channels]))
    .addOption(fieldOption('numClasses', F.numClasses, '--classes <n>'))
    .option('--description <text>', 'free text')
    .option('--json', 'print the registered data set as JSON')
    .action(async (name: string, opts: AddOptions, c: Command) => {
      const d = await withClient(c, (client) =>
        client.registerDataset({
          name,
          format: opts.format,
          ...(opts.path !== undefined && { path: opts.path }),
          ...(opts.task !== undefined && { task: opts.task }),
          ...(opts.option !== undefined && { options: opts.option }),
          ...(opts.imageShape !== undefined && { imageShape: opts.imageShape }),
          ...(opts.classes !== undefined && { numClasses: opts.classes }),
          ...(opts.description !== undefined && { description: opts.description }),
        }),
      );
      if (opts.json) printJson(d);
      else console.log(`registered data set ${d.name} (id ${d.id}): ${d.task}, ${d.imageShape?.join('x') ?? '?'}, ${d.numClasses ?? '?'} classes, ${d.trainSamples ?? '?'} train / ${d.testSamples ?? '?'} test`);
    });
  dataset
    .command('list')
    .description('list registered data sets, newest first')
    .addOption(orderOption())
    .option('--json', 'print JSON')
    .action(async (opts: { order: string; json?: boolean }, c: Command) => {
      const list = await withClient(c, (client) => client.datasets(undefined, listOrder(opts.order)));
      if (opts.json) return printJson(list);
      console.log(formatTable(['id', 'name', 'format', 'task', 'shape', 'classes', 'train', 'test'],
        list.map((d) => [d.id, d.name, d.format, d.task, d.imageShape?.join('x'), d.numClasses, d.trainSamples, d.testSamples])));
    });
}
