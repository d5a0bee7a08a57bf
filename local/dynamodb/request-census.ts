/**
 * What one DynamoDB request reads and writes, item by item, for the counting proxy: each written item is
 * classified by the prefixes of its key values (`ORDER/RESERVATION`, `OUTBOX/OUTBOX`, ...: single-table keys
 * start with their entity), and whether it was written inside a transaction. Condition checks of a transaction
 * are counted apart: they write nothing.
 *
 * Capacity units: DynamoDB Local reports them correctly for single-item and batch operations (item sizes and index
 * writes included), but not for transactions (it reports 2 per table and request). Transactions are therefore
 * counted here as DynamoDB bills them: 2 units per item and KB (reads: per 4 KB), index writes too; the size of an
 * Update, Delete or ConditionCheck item is not in the request and is counted as at most 1 KB.
 */
import { type AttributeValue, itemSize } from './item-size';

export interface TableSchema {
  /** Key attribute names, partition key first. */
  readonly key: readonly string[];
  /** Key attribute names of its secondary indexes. */
  readonly indexKeys: readonly string[];
  /** Its global secondary indexes and their partition key attributes (they have partitions of their own). */
  readonly globalIndexes?: readonly { readonly name: string; readonly partitionKey: string }[];
  /** The table's ARN (throttling reasons name it). */
  readonly arn?: string;
  /** On-demand (`PAY_PER_REQUEST`) rather than provisioned capacity. */
  readonly onDemand?: boolean;
}

export type TableSchemas = ReadonlyMap<string, TableSchema>;

export interface WrittenItem {
  readonly kind: string;
  readonly transactional: boolean;
}

export interface ConsumedUnits {
  /** Read or write request units of the table and its indexes together (what on-demand mode bills). */
  readonly units: number;
  /** Of which secondary indexes. */
  readonly indexUnits: number;
}

export interface RequestCensus {
  readonly writes: readonly WrittenItem[];
  /** Kinds of the items a transaction only checked. */
  readonly conditionChecks: readonly string[];
  /** Items read (before the response: the keys asked for); Query and Scan add the response's Count. */
  readonly readItems: number;
  /** Request units of a transaction, computed here (see above); undefined for other operations. */
  readonly transactionUnits?: ConsumedUnits;
}

type ItemMap = Record<string, AttributeValue | undefined>;

interface WriteAction {
  TableName?: string;
  Item?: ItemMap;
  Key?: ItemMap;
  UpdateExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
}

export const NO_CENSUS: RequestCensus = { writes: [], conditionChecks: [], readItems: 0 };
const NONE = NO_CENSUS;
export const DEFAULT_SCHEMA: TableSchema = { key: ['pk', 'sk'], indexKeys: [] };

function prefixOf(value: AttributeValue | undefined): string {
  if (!value) return '?';
  if (typeof value.S === 'string') {
    const hash = value.S.indexOf('#');
    return hash < 0 ? value.S : value.S.slice(0, hash);
  }
  return value.N !== undefined ? 'N' : 'B';
}

/** `<partition key prefix>/<sort key prefix>` of an item or key, e.g. `ORDER/RESERVATION`. */
export function itemKind(schemas: TableSchemas, table: string | undefined, item: ItemMap | undefined): string {
  if (!item) return '?';
  const schema = (table && schemas.get(table)) || DEFAULT_SCHEMA;
  return schema.key.map((name) => prefixOf(item[name])).join('/');
}

function kindOf(schemas: TableSchemas, action: WriteAction | undefined): string {
  return itemKind(schemas, action?.TableName, action?.Item ?? action?.Key);
}

const kilobytes = (bytes: number, unit: number) => Math.max(1, Math.ceil(bytes / unit));

/** Whether an update sets or removes an attribute that is an index key (an index write). */
function touchesIndex(action: WriteAction, indexKeys: readonly string[]): boolean {
  const expression = action.UpdateExpression ?? '';
  const names = action.ExpressionAttributeNames ?? {};
  return indexKeys.some(
    (key) =>
      new RegExp(`(^|[^\\w#:])${key}($|[^\\w])`).test(expression) ||
      Object.entries(names).some(([placeholder, name]) => name === key && expression.includes(placeholder)),
  );
}

function transactWriteUnits(schemas: TableSchemas, items: TransactWriteItem[]): ConsumedUnits {
  let units = 0;
  let indexUnits = 0;
  for (const item of items) {
    const action = item.Put ?? item.Update ?? item.Delete ?? item.ConditionCheck;
    const schema = (action?.TableName && schemas.get(action.TableName)) || DEFAULT_SCHEMA;
    if (item.Put?.Item) {
      const size = kilobytes(itemSize(item.Put.Item), 1024);
      units += 2 * size;
      if (schema.indexKeys.some((key) => item.Put?.Item?.[key] !== undefined)) indexUnits += 2 * size;
    } else {
      units += 2;
      if (item.Update && touchesIndex(item.Update, schema.indexKeys)) indexUnits += 2;
    }
  }
  return { units: units + indexUnits, indexUnits };
}

type TransactWriteItem = {
  Put?: WriteAction;
  Update?: WriteAction;
  Delete?: WriteAction;
  ConditionCheck?: WriteAction;
};

/** `request`: the parsed JSON body of a DynamoDB request. */
export function censusOf(operation: string, request: Record<string, unknown>, schemas: TableSchemas): RequestCensus {
  switch (operation) {
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return { ...NONE, writes: [{ kind: kindOf(schemas, request as WriteAction), transactional: false }] };
    case 'BatchWriteItem': {
      const items = (request.RequestItems ?? {}) as Record<
        string,
        { PutRequest?: { Item?: ItemMap }; DeleteRequest?: { Key?: ItemMap } }[]
      >;
      const writes = Object.entries(items).flatMap(([table, requests]) =>
        requests.map((r) => ({
          kind: itemKind(schemas, table, r.PutRequest?.Item ?? r.DeleteRequest?.Key),
          transactional: false,
        })),
      );
      return { ...NONE, writes };
    }
    case 'TransactWriteItems': {
      const items = (request.TransactItems ?? []) as TransactWriteItem[];
      const writes: WrittenItem[] = [];
      const conditionChecks: string[] = [];
      for (const item of items) {
        if (item.ConditionCheck) conditionChecks.push(kindOf(schemas, item.ConditionCheck));
        else writes.push({ kind: kindOf(schemas, item.Put ?? item.Update ?? item.Delete), transactional: true });
      }
      return { ...NONE, writes, conditionChecks, transactionUnits: transactWriteUnits(schemas, items) };
    }
    case 'GetItem':
      return { ...NONE, readItems: 1 };
    case 'BatchGetItem': {
      const tables = Object.values((request.RequestItems ?? {}) as Record<string, { Keys?: unknown[] }>);
      return { ...NONE, readItems: tables.reduce((n, t) => n + (t.Keys?.length ?? 0), 0) };
    }
    case 'TransactGetItems': {
      const count = ((request.TransactItems ?? []) as unknown[]).length;
      // Items of at most 4 KB: 2 read units each.
      return { ...NONE, readItems: count, transactionUnits: { units: 2 * count, indexUnits: 0 } };
    }
    default:
      return NONE;
  }
}

/** Operations that accept `ReturnConsumedCapacity`. */
export const CAPACITY_OPERATIONS: ReadonlySet<string> = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
  'Query',
  'Scan',
]);

type Capacity = {
  CapacityUnits?: number;
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
  LocalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
};

/** Sums a response's `ConsumedCapacity` (an object, or a list for batch and transaction operations). */
export function consumedUnits(consumed: unknown): ConsumedUnits {
  const list = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) as Capacity[];
  let units = 0;
  let indexUnits = 0;
  for (const c of list) {
    units += c.CapacityUnits ?? 0;
    for (const index of [
      ...Object.values(c.GlobalSecondaryIndexes ?? {}),
      ...Object.values(c.LocalSecondaryIndexes ?? {}),
    ])
      indexUnits += index.CapacityUnits ?? 0;
  }
  return { units, indexUnits };
}
