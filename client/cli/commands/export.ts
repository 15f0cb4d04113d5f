// `spikelab export`: a conversion run's SNN, or any checkpoint's ANN, as a standalone ONNX file
// (the server builds it; the file is written under a temporary name, then renamed).
import type { Command } from 'commander';
import { withClient } from '../context.js';

interface ExportOptions {
  out: string;
  checkpoint?: string;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description("write a conversion run's SNN (states as inputs and outputs; README \"The exported SNN\"), or with --checkpoint a checkpoint's ANN, as an ONNX file")
    .argument('[conversion-run]', 'id of a SUCCEEDED conversion run')
    .option('--checkpoint <ref>', "export this checkpoint's ANN instead: id or model[:alias] (default: the model's newest)")
    .requiredOption('--out <file>', 'where to write the .onnx file')
    .action(async (runId: string | undefined, o: ExportOptions, c: Command) => {
      if ((runId === undefined) === (o.checkpoint === undefined)) c.error('error: give a conversion run id, or --checkpoint <ref> (one of them)', { exitCode: 2 });
      await withClient(c, async (client) => {
        if (o.checkpoint !== undefined) {
          const f = await client.exportAnn(o.checkpoint, o.out);
          console.log(`wrote ${f.path} (${f.bytes} bytes): the ANN of checkpoint ${f.checkpointId}`);
        } else {
          const f = await client.exportSnn(runId!, o.out);
          console.log(`wrote ${f.path} (${f.bytes} bytes): the SNN of conversion run ${runId}`);
        }
      });
    });
}
