// Keyset pagination over integer ids (ascending = creation order) with opaque base64 cursors.
import { InvalidInputError } from './errors.js';

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;
const CURSOR_PREFIX = 'sl1:';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Page<T> {
  items: T[];
  totalCount: number;
  hasNextPage: boolean;
  /** Cursor of each item, same order as items. */
  cursors: string[];
  endCursor: string | null;
}

export function encodeCursor(id: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${id}`, 'utf8').toString('base64url');
}

/** Decodes a cursor made by encodeCursor; anything else is an InvalidInputError on `field`. */
export function decodeCursor(cursor: string, field = 'after'): number {
  const text = /^[A-Za-z0-9_-]+={0,2}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^sl1:(\d{1,15})$/.exec(text);
  if (!match?.[1]) throw new InvalidInputError(field, 'malformed cursor (use a cursor returned by the server)');
  return Number(match[1]);
}

/** Validates page arguments: first in 1..500 (default 50), after a valid cursor. */
export function checkPageArgs(args: PageArgs): { take: number; afterId: number | null } {
  const take = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(take) || take < 1 || take > MAX_PAGE_SIZE) {
    throw new InvalidInputError('first', `must be an integer between 1 and ${MAX_PAGE_SIZE}, got ${take}`);
  }
  const afterId = args.after == null ? null : decodeCursor(args.after, 'after');
  return { take, afterId };
}

/**
 * Runs one page query: `fetch` gets the id bound and take+1 (to learn whether more follow);
 * `count` counts all rows matching the same filter.
 */
export async function paginate<T extends { id: number }>(
  args: PageArgs,
  fetch: (idAfter: { gt: number } | undefined, take: number) => Promise<T[]>,
  count: () => Promise<number>,
): Promise<Page<T>> {
  const { take, afterId } = checkPageArgs(args);
  const [rows, totalCount] = await Promise.all([fetch(afterId == null ? undefined : { gt: afterId }, take + 1), count()]);
  const items = rows.slice(0, take);
  const cursors = items.map((item) => encodeCursor(item.id));
  return { items, totalCount, hasNextPage: rows.length > take, cursors, endCursor: cursors.at(-1) ?? null };
}

/** Parses an entity id given as a GraphQL ID (decimal string). */
export function parseId(raw: string | number, field = 'id'): number {
  const text = String(raw);
  if (!/^[1-9]\d{0,14}$/.test(text)) throw new InvalidInputError(field, `"${text}" is not a valid id`);
  return Number(text);
}
