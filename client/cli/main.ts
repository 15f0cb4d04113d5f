// The `spikelab` CLI: one commander program, one file per command group. Exit codes: 0 success,
// 1 the operation failed (server error, job failed, I/O), 2 bad usage (unknown flag, bad value).
import { Command, CommanderError } from 'commander';
import { SpikelabError } from '../api/errors.js';
import { registerCompare } from './commands/compare.js';
import { registerConvert } from './commands/convert.js';
import { registerDataset } from './commands/dataset.js';
import { registerExport } from './commands/export.js';
import { registerImport } from './commands/import.js';
import { registerJobs } from './commands/jobs.js';
import { registerModel } from './commands/model.js';
import { registerReport } from './commands/report.js';
import { registerServe } from './commands/serve.js';
import { registerSweep } from './commands/sweep.js';
import { registerToken } from './commands/token.js';
import { registerTrain } from './commands/train.js';
import { registerWorker } from './commands/worker.js';
import { addGlobalOptions } from './context.js';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export function buildProgram(): Command {
  const program = new Command('spikelab')
    .description('Spikelab: model registry and experiment-results store for ANN → SNN (burst-spike) conversion')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true });
  addGlobalOptions(program);
  registerServe(program);
  registerDataset(program);
  registerModel(program);
  registerTrain(program);
  registerImport(program);
  registerConvert(program);
  registerSweep(program);
  registerExport(program);
  registerJobs(program);
  registerCompare(program);
  registerReport(program);
  registerToken(program);
  registerWorker(program);
  return program;
}

/** Runs the CLI on process-style argv ([node, script, ...args]); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander has printed the message (or the help) already
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof SpikelabError) {
      process.stderr.write(`spikelab: ${err.message}${err.code ? ` [${err.code}]` : ''}\n`);
      return EXIT.failed;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`spikelab: ${message}\n`);
    if (process.env.SPIKELAB_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return EXIT.failed;
  }
}
