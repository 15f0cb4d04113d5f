import type { Command } from 'commander';
import { notYet } from './pending.js';
import type { CompareOptions } from './compare.js';
export function runCompare(_o: CompareOptions, _c: Command): Promise<void> { notYet('compare'); }
