// Keyset pagination over integer ids (ascending id = creation order) with opaque base64 cursors.
// A cursor remembers the order of the list it came from, so it is refused by the other order
// instead of silently skipping or repeating rows.
import { InvalidInputError } from './errors.js';

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;
export const LIST_ORDERS = ['OLDEST_FIRST', 'NEWEST_FIRST'] as const;
export type ListOrder = (typeof LIST_ORDERS)[number];

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  /** Default OLDEST_FIRST. */
  orderBy?: ListOrder | null;
}

export interface Page<T> {
  items: T[];
  totalCount: number;
  hasNextPage: boolean;
  /** Cursor of each item, same order as items. */
  cursors: string[];
  endCursor: string | null;
}

/** What one page query needs: the id bound after the cursor, the id order, and how many rows. */
export interface PageQuery {
  id: { gt: number } | { lt: number } | undefined;
  orderBy: { id: 'asc' | 'desc' };
  take: number;
}

export function encodeCursor(id: number, order: ListOrder = 'OLDEST_FIRST'): string {
  return Buffer.from(`sl2:${order === 'NEWEST_FIRST' ? 'n' : 'o'}:${id}`, 'utf8').toString('base64url');
}

/** Decodes a cursor made by encodeCursor (or an older 'sl1:' oldest-first one); anything else is an InvalidInputError on `field`. */
export function decodeCursor(cursor: string, field = 'after'): { id: number; order: ListOrder } {
  const text = /^[A-Za-z0-9_-]+={0,2}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^(?:sl1:|sl2:([on]):)(\d{1,15})$/.exec(text);
  if (!match?.[2]) throw new InvalidInputError(field, 'malformed cursor (use a cursor returned by the server)');
  return { id: Number(match[2]), order: match[1] === 'n' ? 'NEWEST_FIRST' : 'OLDEST_FIRST' };
}

/** Validates page arguments: first in 1..500 (default 50), after a cursor of a list in the same order. */
export function checkPageArgs(args: PageArgs): { take: number; afterId: number | null; order: ListOrder } {
  const take = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(take) || take < 1 || take > MAX_PAGE_SIZE) {
    throw new InvalidInputError('first', `must be an integer between 1 and ${MAX_PAGE_SIZE}, got ${take}`);
  }
  const order = args.orderBy ?? 'OLDEST_FIRST';
  if (!(LIST_ORDERS as readonly string[]).includes(order)) throw new InvalidInputError('orderBy', `must be one of ${LIST_ORDERS.join(', ')}`);
  if (args.after == null) return { take, afterId: null, order };
  const cursor = decodeCursor(args.after, 'after');
  if (cursor.order !== order) throw new InvalidInputError('after', `this cursor comes from a ${cursor.order} list; ask with orderBy: ${cursor.order} or start again`);
  return { take, afterId: cursor.id, order };
}

/**
 * Runs one page query: `fetch` gets the id bound, the order and take+1 (to learn whether more
 * follow); `count` counts all rows matching the same filter.
 */
export async function paginate<T extends { id: number }>(args: PageArgs, fetch: (q: PageQuery) => Promise<T[]>, count: () => Promise<number>): Promise<Page<T>> {
  const { take, afterId, order } = checkPageArgs(args);
  const newest = order === 'NEWEST_FIRST';
  const id = afterId == null ? undefined : newest ? { lt: afterId } : { gt: afterId };
  const [rows, totalCount] = await Promise.all([fetch({ id, orderBy: { id: newest ? 'desc' : 'asc' }, take: take + 1 }), count()]);
  const items = rows.slice(0, take);
  const cursors = items.map((item) => encodeCursor(item.id, order));
  return { items, totalCount, hasNextPage: rows.length > take, cursors, endCursor: cursors.at(-1) ?? null };
}

/** Parses an entity id given as a GraphQL ID (decimal string). */
export function parseId(raw: string | number, field = 'id'): number {
  const text = String(raw);
  if (!/^[1-9]\d{0,14}$/.test(text)) throw new InvalidInputError(field, `"${text}" is not a valid id`);
  return Number(text);
}

/** Maps a page's items, keeping its cursors. */
export function mapPage<R, T>(page: Page<R>, map: (row: R) => T): Page<T> {
  return { ...page, items: page.items.map(map) };
}
