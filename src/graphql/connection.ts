// Relay-style connections with opaque cursors: Connection(Item, 'Model') → ModelConnection/ModelEdge.
import { ArgsType, type ClassType, Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type ListOrder, type Page } from '../registry/pagination.js';

/** GraphQL enum of registry/pagination.ts's LIST_ORDERS (same names, same values). */
const ListOrderEnum: { [K in ListOrder]: K } = { OLDEST_FIRST: 'OLDEST_FIRST', NEWEST_FIRST: 'NEWEST_FIRST' };
registerEnumType(ListOrderEnum, {
  name: 'ListOrder',
  description: 'Order of a list: by creation, oldest or newest first. A cursor only continues a list in its own order.',
});

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page.' })
  endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 1..${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).` })
  first?: number;

  @Field(() => String, { nullable: true, description: 'Cursor from a previous page (pageInfo.endCursor) of a list in the same order.' })
  after?: string;

  @Field(() => ListOrderEnum, { description: 'OLDEST_FIRST (default) or NEWEST_FIRST.' })
  orderBy: ListOrder = 'OLDEST_FIRST';
}

export interface ConnectionShape<T> {
  nodes: T[];
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  totalCount: number;
}

export function Connection<T extends object>(itemType: ClassType<T>, name: string): abstract new () => ConnectionShape<T> {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field()
    cursor!: string;

    @Field(() => itemType)
    node!: T;
  }

  @ObjectType()
  abstract class ConnectionClass {
    @Field(() => [itemType])
    nodes!: T[];

    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'Items matching the filter, over all pages.' })
    totalCount!: number;
  }
  return ConnectionClass;
}

/** Maps a registry page to a connection, converting each item with `map`. */
export function toConnection<R, T>(page: Page<R>, map: (row: R) => T): ConnectionShape<T> {
  const nodes = page.items.map(map);
  return {
    nodes,
    edges: nodes.map((node, i) => ({ node, cursor: page.cursors[i] ?? '' })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    totalCount: page.totalCount,
  };
}
