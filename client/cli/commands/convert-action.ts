import type { Command } from 'commander';
import { notYet } from './pending.js';
import type { ConvertOptions } from './convert.js';
export function runConvert(_m: string, _o: ConvertOptions, _c: Command): Promise<void> { notYet('startConversion'); }
