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
      ExclusiveStartKey: decodeCursor(request.cursor, { attribute: pkName, value: request.partition, keyNames }),
    }),
  );
  const items = result.Items ?? [];
  const page = items.slice(0, request.limit);
  const last = page[page.length - 1];
  if (items.length <= request.limit || !last) return { items: page, nextCursor: null };
  // The cursor is the key of the last item returned.
  return { items: page, nextCursor: encodeCursor(Object.fromEntries(keyNames.map((name) => [name, last[name]]))) };
}

/** Every item of the sharded sparse-index partitions whose sort key (time first) is before `until` (and from `since`). */
export async function queryShardsBefore(
  client: DynamoDBDocumentClient,
  tableName: string,
  partition: (shard: number) => string,
  until: string,
  since?: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (let shard = 0; shard < OPEN_ORDER_SHARDS; shard++) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: TABLE.gsi1.indexName,
          KeyConditionExpression: since
            ? 'gsi1pk = :pk AND gsi1sk BETWEEN :since AND :until'
            : 'gsi1pk = :pk AND gsi1sk < :until',
          ExpressionAttributeValues: {
            ':pk': partition(shard),
            ':until': until,
            ...(since ? { ':since': since } : {}),
          },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  return items;
}
