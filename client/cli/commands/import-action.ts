import type { Command } from 'commander';
import { notYet } from './pending.js';
import type { ImportOptions } from './import.js';
export function runImport(_m: string, _p: string, _o: ImportOptions, _c: Command): Promise<void> { notYet('importCheckpoint'); }
