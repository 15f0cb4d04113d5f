import type { Command } from 'commander';
import { notYet } from './pending.js';
import type { ReportOptions } from './report.js';
export function runReport(_o: ReportOptions, _c: Command): Promise<void> { notYet('compare'); }
