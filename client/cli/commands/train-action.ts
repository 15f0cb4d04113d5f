import type { Command } from 'commander';
import { notYet } from './pending.js';
import type { TrainOptions } from './train.js';
export function runTrain(_m: string, _o: TrainOptions, _c: Command): Promise<void> { notYet('startTraining'); }
