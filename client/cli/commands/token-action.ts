import { notYet } from './pending.js';
import type { TokenOptions } from './token.js';
export function runTokenCreate(_n: string, _o: TokenOptions): Promise<void> { notYet('token registry'); }
