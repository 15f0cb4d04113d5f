import type { Command } from 'commander';
import { notYet } from './pending.js';
import type { JobsListOptions } from './jobs.js';
export function runJobsList(_o: JobsListOptions, _c: Command): Promise<void> { notYet('jobs'); }
export function runJobShow(_id: string, _o: unknown, _c: Command): Promise<void> { notYet('job'); }
export function runJobWait(_id: string, _c: Command): Promise<void> { notYet('jobProgress'); }
export function runJobCancel(_id: string, _c: Command): Promise<void> { notYet('cancelJob'); }
