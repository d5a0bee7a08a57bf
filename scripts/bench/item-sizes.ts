/**
 * Item sizes as DynamoDB bills them (attribute names + values; 1 KB per write request unit), per kind of item,
 * read straight from DynamoDB Local after the runs (uncounted). The cost estimate needs them: an item over 1 KB
 * costs more than one write unit, and an update is billed on the larger of the item before and after.
 */
import { type AttributeValue, itemSize } from '../../local/dynamodb/item-size';
import type { DynamoRawClient } from '../../local/dynamodb/raw-client';
import { itemKind } from '../../local/dynamodb/request-census';

type Value = AttributeValue;

export interface KindSize {
  readonly items: number;
  readonly avgBytes: number;
  readonly maxBytes: number;
}

/** Scans `table` (at most `limit` items) and returns the size of its items per kind. */
export async function itemSizesByKind(
  db: DynamoRawClient,
  table: string,
  limit = 20_000,
): Promise<Record<string, KindSize>> {
  const schemas = new Map([[table, { key: ['pk', 'sk'], indexKeys: [] }]]);
  const totals = new Map<string, { items: number; bytes: number; max: number }>();
  let start: Record<string, Value> | undefined;
  let seen = 0;
  do {
    const page = await db.send<{ Items?: Record<string, Value>[]; LastEvaluatedKey?: Record<string, Value> }>(
      'DynamoDB_20120810.Scan',
      {
        TableName: table,
        ...(start ? { ExclusiveStartKey: start } : {}),
      },
    );
    for (const item of page.body.Items ?? []) {
      const kind = itemKind(schemas, table, item);
      const size = itemSize(item);
      const t = totals.get(kind) ?? { items: 0, bytes: 0, max: 0 };
      t.items += 1;
      t.bytes += size;
      t.max = Math.max(t.max, size);
      totals.set(kind, t);
      seen += 1;
    }
    start = page.body.LastEvaluatedKey;
  } while (start && seen < limit);
  return Object.fromEntries(
    [...totals].map(([kind, t]) => [
      kind,
      { items: t.items, avgBytes: Math.round(t.bytes / t.items), maxBytes: t.max },
    ]),
  );
}
