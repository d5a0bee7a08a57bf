/**
 * The items a DynamoDB request names, item by item, for the fault seam of the counting proxy: which table and item
 * (transaction conflicts), the partition key value (fault rules select by its prefix) and the partitions whose
 * capacity it consumes, with the units counted as the request census counts them: writes 1 unit per KB (the size of
 * a Put item; an Update, Delete or ConditionCheck counts 1, its size is not in the request), transactions twice
 * that; reads 1 unit (0.5 eventually consistent; transactions 2) per item, assumed at most 4 KB. A Query's units
 * are known only from its answer (see `queryUnits`).
 *
 * Global secondary indexes have partitions of their own: a Put whose item has an index's partition key attribute,
 * or an Update that SETs it to a `:value`, writes that index partition too (same units). A Delete's or an Update's
 * other index writes are not visible in the request and are not counted.
 */
import { type AttributeValue, itemSize } from './item-size';
import { DEFAULT_SCHEMA, type TableSchema, type TableSchemas } from './request-census';

export type CapacityKind = 'read' | 'write';

/** Capacity a request consumes on one partition: a table's, or a global secondary index's, by key value. */
export interface PartitionUse {
  readonly table: string;
  readonly index: string | undefined;
  /** The partition key value as text (S as is, N as written, B as base64). */
  readonly value: string;
  readonly kind: CapacityKind;
  readonly units: number;
}

export interface RequestItem {
  /** Position in the request: the index in `TransactItems`, where `CancellationReasons` go. */
  readonly position: number;
  readonly table: string;
  /** The item's identity (table and key values); undefined for a Query or Scan (not one item). */
  readonly itemKey: string | undefined;
  /** The table partition key value as text. */
  readonly partitionKey: string | undefined;
  /** `write`: Put, Update, Delete; `check`: a transaction's ConditionCheck; `read`: Get, Query, Scan. */
  readonly access: 'write' | 'check' | 'read';
  readonly partitions: readonly PartitionUse[];
}

type Item = Record<string, AttributeValue | undefined>;
type Names = Record<string, string> | undefined;
type Values = Record<string, AttributeValue> | undefined;

interface Action {
  TableName?: string;
  Item?: Item;
  Key?: Item;
  UpdateExpression?: string;
  ExpressionAttributeNames?: Names;
  ExpressionAttributeValues?: Values;
}

interface TransactItem {
  Put?: Action;
  Update?: Action;
  Delete?: Action;
  ConditionCheck?: Action;
  Get?: Action;
}

export function valueText(value: AttributeValue | undefined): string | undefined {
  if (!value) return undefined;
  if (typeof value.S === 'string') return value.S;
  if (value.N !== undefined) return String(value.N);
  if (value.B !== undefined) return String(value.B);
  return undefined;
}

const escapeRegExp = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** The `:value` an expression compares or assigns with `=` to an attribute (by its name or a `#name` placeholder). */
function equalsValue(expression: string | undefined, names: Names, values: Values, attribute: string) {
  if (!expression) return undefined;
  const tokens = [attribute, ...Object.entries(names ?? {}).flatMap(([p, n]) => (n === attribute ? [p] : []))];
  for (const token of tokens) {
    const match = new RegExp(`(?:^|[\\s,(])${escapeRegExp(token)}\\s*=\\s*(:[A-Za-z0-9_]+)`).exec(expression);
    if (match?.[1]) return values?.[match[1]];
  }
  return undefined;
}

const schemaOf = (schemas: TableSchemas, table: string): TableSchema => schemas.get(table) ?? DEFAULT_SCHEMA;
const kilobytes = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

function itemKeyOf(table: string, schema: TableSchema, key: Item | undefined): string | undefined {
  if (!key) return undefined;
  return [table, ...schema.key.map((name) => JSON.stringify(key[name] ?? null))].join('\u0000');
}

/** One written (or checked) item, with the table and index partitions it consumes. */
function writeItem(
  schemas: TableSchemas,
  position: number,
  access: 'write' | 'check',
  action: Action,
  factor: number,
): RequestItem {
  const table = action.TableName ?? '';
  const schema = schemaOf(schemas, table);
  const key = action.Item ?? action.Key;
  const partitionKey = valueText(key?.[schema.key[0] ?? '']);
  const units = factor * (action.Item ? kilobytes(itemSize(action.Item)) : 1);
  const partitions: PartitionUse[] = [];
  if (partitionKey !== undefined)
    partitions.push({ table, index: undefined, value: partitionKey, kind: 'write', units });
  if (access === 'write') {
    for (const index of schema.globalIndexes ?? []) {
      const value = action.Item
        ? valueText(action.Item[index.partitionKey])
        : valueText(
            equalsValue(
              action.UpdateExpression,
              action.ExpressionAttributeNames,
              action.ExpressionAttributeValues,
              index.partitionKey,
            ),
          );
      if (value !== undefined) partitions.push({ table, index: index.name, value, kind: 'write', units });
    }
  }
  return { position, table, itemKey: itemKeyOf(table, schema, key), partitionKey, access, partitions };
}

function readItem(schemas: TableSchemas, position: number, table: string, key: Item | undefined, units: number) {
  const schema = schemaOf(schemas, table);
  const partitionKey = valueText(key?.[schema.key[0] ?? '']);
  const partitions: PartitionUse[] =
    partitionKey === undefined ? [] : [{ table, index: undefined, value: partitionKey, kind: 'read', units }];
  return { position, table, itemKey: itemKeyOf(table, schema, key), partitionKey, access: 'read' as const, partitions };
}

interface QueryRequest extends Action {
  IndexName?: string;
  KeyConditionExpression?: string;
  ConsistentRead?: boolean;
}

function queryItem(schemas: TableSchemas, request: QueryRequest): RequestItem {
  const table = request.TableName ?? '';
  const schema = schemaOf(schemas, table);
  const gsi = schema.globalIndexes?.find((i) => i.name === request.IndexName);
  const attribute = gsi?.partitionKey ?? schema.key[0] ?? '';
  const value = valueText(
    equalsValue(
      request.KeyConditionExpression,
      request.ExpressionAttributeNames,
      request.ExpressionAttributeValues,
      attribute,
    ),
  );
  const units = request.ConsistentRead && !gsi ? 1 : 0.5;
  return {
    position: 0,
    table,
    itemKey: undefined,
    partitionKey: gsi ? undefined : value,
    access: 'read',
    partitions: value === undefined ? [] : [{ table, index: gsi?.name, value, kind: 'read', units }],
  };
}

/** The items of a request (`request`: its parsed JSON body), in request order. */
export function requestItems(
  operation: string,
  request: Record<string, unknown>,
  schemas: TableSchemas,
): RequestItem[] {
  const action = request as Action & { ConsistentRead?: boolean };
  switch (operation) {
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return [writeItem(schemas, 0, 'write', action, 1)];
    case 'GetItem':
      return [readItem(schemas, 0, action.TableName ?? '', action.Key, action.ConsistentRead ? 1 : 0.5)];
    case 'Query':
      return [queryItem(schemas, request as QueryRequest)];
    case 'Scan':
      return [
        {
          position: 0,
          table: action.TableName ?? '',
          itemKey: undefined,
          partitionKey: undefined,
          access: 'read',
          partitions: [],
        },
      ];
    case 'BatchWriteItem': {
      const tables = (request.RequestItems ?? {}) as Record<string, { PutRequest?: Action; DeleteRequest?: Action }[]>;
      return Object.entries(tables).flatMap(([table, writes]) =>
        writes.map((w) =>
          writeItem(schemas, 0, 'write', { TableName: table, ...(w.PutRequest ?? w.DeleteRequest) }, 1),
        ),
      );
    }
    case 'BatchGetItem': {
      const tables = (request.RequestItems ?? {}) as Record<string, { Keys?: Item[]; ConsistentRead?: boolean }>;
      return Object.entries(tables).flatMap(([table, get]) =>
        (get.Keys ?? []).map((key) => readItem(schemas, 0, table, key, get.ConsistentRead ? 1 : 0.5)),
      );
    }
    case 'TransactWriteItems':
      return ((request.TransactItems ?? []) as TransactItem[]).map((item, position) => {
        if (item.ConditionCheck) return writeItem(schemas, position, 'check', item.ConditionCheck, 2);
        return writeItem(schemas, position, 'write', item.Put ?? item.Update ?? item.Delete ?? {}, 2);
      });
    case 'TransactGetItems':
      return ((request.TransactItems ?? []) as TransactItem[]).map((item, position) =>
        readItem(schemas, position, item.Get?.TableName ?? '', item.Get?.Key, 2),
      );
    default:
      return [];
  }
}

/** The read units of a Query or Scan answer: its size per 4 KB (halved when eventually consistent), at least one. */
export function queryUnits(responseBytes: number, unitsPer4Kb: number): number {
  return Math.max(1, Math.ceil(responseBytes / 4096)) * unitsPer4Kb;
}
