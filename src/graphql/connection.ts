// Relay-style connections with opaque cursors: Connection(Item, 'Model') → ModelConnection/ModelEdge.
import { Max, Min } from 'class-validator';
import { ArgsType, type ClassType, Field, Int, ObjectType } from 'type-graphql';
import type { Page } from '../registry/pagination.js';
import { MAX_PAGE_SIZE } from '../registry/pagination.js';

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page.' })
  endCursor!: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 1..${MAX_PAGE_SIZE} (default 50).` })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first?: number;

  @Field(() => String, { nullable: true, description: 'Cursor from a previous page (pageInfo.endCursor).' })
  after?: string;
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
