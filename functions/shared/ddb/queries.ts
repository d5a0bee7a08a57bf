/**
 * The query shapes the adapters share: one page of a partition with an opaque cursor (nextCursor null exactly on the
 * last page), and every item of the sharded sparse-index partitions older than a cutoff.
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { OPEN_ORDER_SHARDS, TABLE } from '../table/layout';
import { decodeCursor, encodeCursor } from './cursor';

export interface PageRequest {
  readonly tableName: string;
  /** Query the GSI instead of the table. */
  readonly index?: typeof TABLE.gsi1;
  readonly partition: string;
  /** Only sort keys that start with this. */
  readonly sortPrefix?: string;
  readonly newestFirst?: boolean;
  readonly limit: number;
  readonly cursor: string | undefined;
}

export interface Page {
  readonly items: Record<string, unknown>[];
  readonly nextCursor: string | null;
}

/** Reads one item more than asked, so `nextCursor` is null exactly on the last page. */
export async function queryPage(client: DynamoDBDocumentClient, request: PageRequest): Promise<Page> {
  const pkName = request.index?.partitionKey ?? TABLE.partitionKey;
  const skName = request.index?.sortKey ?? TABLE.sortKey;
  // The key of an item read: the table's key, plus the index's key when querying the index.
  const keyNames = [...new Set([TABLE.partitionKey, TABLE.sortKey, ...(request.index ? [pkName, skName] : [])])];
  const result = await client.send(
    new QueryCommand({
      TableName: request.tableName,
      IndexName: request.index?.indexName,
      KeyConditionExpression: request.sortPrefix ? '#pk = :pk AND begins_with(#sk, :prefix)' : '#pk = :pk',
      ExpressionAttributeNames: request.sortPrefix ? { '#pk': pkName, '#sk': skName } : { '#pk': pkName },
      ExpressionAttributeValues: request.sortPrefix
        ? { ':pk': request.partition, ':prefix': request.sortPrefix }
        : { ':pk': request.partition },
      ScanIndexForward: !request.newestFirst,
      Limit: request.limit + 1,
      ExclusiveStartKey: decodeCursor(request.cursor, {
        attribute: pkName,
        value: request.partition,
        keyNames,
        ...(request.sortPrefix ? { sortKey: { attribute: skName, prefix: request.sortPrefix } } : {}),
      }),
    }),
  );
  const items = result.Items ?? [];
  const page = items.slice(0, request.limit);
  const last = page[page.length - 1];
  if (items.length <= request.limit || !last) return { items: page, nextCursor: null };
  // The cursor is the key of the last item returned.
  return { items: page, nextCursor: encodeCursor(Object.fromEntries(keyNames.map((name) => [name, last[name]]))) };
}

export interface ShardedPage {
  readonly items: Record<string, unknown>[];
  /** Where the next page starts; undefined once every shard was read to its end (the next page starts over). */
  readonly cursor: string | undefined;
}

interface ShardPosition {
  readonly shard: number;
  readonly key?: Record<string, unknown>;
}

function decodePosition(cursor: string | undefined): ShardPosition {
  if (!cursor) return { shard: 0 };
  try {
    const parsed = JSON.parse(cursor) as ShardPosition;
    return Number.isInteger(parsed.shard) && parsed.shard >= 0 && parsed.shard < OPEN_ORDER_SHARDS
      ? parsed
      : { shard: 0 };
  } catch {
    return { shard: 0 };
  }
}

/**
 * At most `limit` items of the sharded sparse-index partitions whose sort key (time first) is before `until`, from
 * `cursor` on (shard by shard, oldest first in each). A caller that keeps the cursor between runs works through a
 * list of any length with a bounded budget per run, and past items it cannot settle yet.
 */
export async function queryShardsPage(
  client: DynamoDBDocumentClient,
  request: {
    readonly tableName: string;
    readonly partition: (shard: number) => string;
    readonly until: string;
    readonly limit: number;
    readonly cursor: string | undefined;
  },
): Promise<ShardedPage> {
  const items: Record<string, unknown>[] = [];
  let { shard, key } = decodePosition(request.cursor);
  while (shard < OPEN_ORDER_SHARDS) {
    const page = await client.send(
      new QueryCommand({
        TableName: request.tableName,
        IndexName: TABLE.gsi1.indexName,
        KeyConditionExpression: '#pk = :pk AND #sk < :until',
        ExpressionAttributeNames: { '#pk': TABLE.gsi1.partitionKey, '#sk': TABLE.gsi1.sortKey },
        ExpressionAttributeValues: { ':pk': request.partition(shard), ':until': request.until },
        ExclusiveStartKey: key,
        Limit: request.limit - items.length,
      }),
    );
    items.push(...(page.Items ?? []));
    key = page.LastEvaluatedKey;
    if (!key) shard++;
    if (items.length >= request.limit) {
      return { items, cursor: shard < OPEN_ORDER_SHARDS ? JSON.stringify({ shard, key }) : undefined };
    }
  }
  return { items, cursor: undefined };
}
