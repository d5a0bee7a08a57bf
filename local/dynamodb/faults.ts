/**
 * The DynamoDB part of fault files (local/faults-config.ts builds it): errors only AWS answers with, a capacity model
 * per partition key value, and transaction conflicts. The counting proxy consults it through
 * `FaultInjector.dynamodbRequest` before it forwards a request to DynamoDB Local.
 *
 * In order: the `dynamodb` rules (the first that fires answers), then transaction conflicts with the requests in
 * flight, then the partition model. A request that passes is held (for conflicts) until DynamoDB Local answered.
 */
import * as z from 'zod';
import { Dice, nameMatches } from '../fault-dice';
import type { DynamoDbFault, DynamoDbRequestContext } from '../faults';
import { InFlightItems } from './conflicts';
import {
  type CancellationReason,
  type DynamoDbErrorAnswer,
  internalServerError,
  provisionedThroughputExceeded,
  THROTTLING_MESSAGES,
  type ThrottlingReason,
  TRANSACTION_CONFLICT_MESSAGE,
  throttlingException,
  transactionCanceled,
  transactionConflictException,
} from './errors';
import { PartitionModel } from './partition-model';
import type { TableSchemas } from './request-census';
import { type PartitionUse, queryUnits, type RequestItem } from './request-items';

// ---------------------------------------------------------------------------------------------------------------
// The file format (the `dynamodb`, `partitions` and `transactionConflicts` keys)
// ---------------------------------------------------------------------------------------------------------------

export const DYNAMODB_OPERATIONS = [
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
  'ExecuteStatement',
  'BatchExecuteStatement',
  'ExecuteTransaction',
] as const;

export const DYNAMODB_FAULT_ERRORS = [
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'InternalServerError',
  'TransactionCanceledException',
] as const;

export const CANCELLATION_CODES = ['ThrottlingError', 'TransactionConflict', 'ValidationError'] as const;

export const dynamodbRuleSchema = z
  .strictObject({
    /** Only these operations. @default every operation (TransactionCanceledException: TransactWriteItems only) */
    operations: z.array(z.enum(DYNAMODB_OPERATIONS)).min(1).optional(),
    /** Only requests signed by this function (a selector, as in `lambda` rules). @default any sender */
    function: z.string().min(1).optional(),
    /** Only requests naming this table (a selector). @default any table */
    table: z.string().min(1).optional(),
    /** Only requests naming an item whose partition key starts with one of these. @default any item */
    keyPrefixes: z.array(z.string().min(1)).min(1).optional(),
    probability: z.number().min(0).max(1),
    error: z.enum(DYNAMODB_FAULT_ERRORS),
    /** TransactionCanceledException only: the reason of the item it falls on. @default ThrottlingError */
    reason: z.enum(CANCELLATION_CODES).optional(),
    message: z.string().min(1).optional(),
  })
  .refine((r) => r.reason === undefined || r.error === 'TransactionCanceledException', {
    message: '"reason" goes with "error": "TransactionCanceledException"',
  })
  .refine(
    (r) =>
      r.error !== 'TransactionCanceledException' ||
      r.operations === undefined ||
      r.operations.every((o) => o === 'TransactWriteItems'),
    { message: 'TransactionCanceledException is the answer of TransactWriteItems only' },
  );

export const partitionsSchema = z.strictObject({
  /** Factor on DynamoDB's per-partition limits of 1,000 write and 3,000 read units per second. @default 1 */
  capacityScale: z.number().positive().max(1000).default(1),
  /** Unused capacity a partition key keeps, in seconds of its rate. @default 1 */
  burstSeconds: z.number().positive().max(300).default(1),
  /** false: count the units per key (metrics) but never throttle. @default true */
  enforce: z.boolean().default(true),
});

export type DynamoDbRule = z.output<typeof dynamodbRuleSchema>;
export type PartitionsConfig = z.output<typeof partitionsSchema>;

export interface DynamoDbFaultsConfig {
  readonly seed: number;
  readonly dynamodb: readonly DynamoDbRule[];
  readonly partitions?: PartitionsConfig;
  /** @default on when `partitions` is set */
  readonly transactionConflicts?: boolean;
}

export interface DynamoDbFaultCounts {
  /** Errors answered by `dynamodb` rules. */
  dynamodbErrors: number;
  /** Requests refused by the partition model. */
  partitionThrottles: number;
  /** Requests refused for a conflict with a transaction in flight. */
  transactionConflicts: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------------------------

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const TRANSACTIONS = new Set(['TransactWriteItems', 'TransactGetItems']);
/** Batches are counted but never throttled (DynamoDB answers them with UnprocessedItems, not emulated). */
const BATCHES = new Set(['BatchWriteItem', 'BatchGetItem']);

const tableArn = (tables: TableSchemas, table: string) =>
  tables.get(table)?.arn ?? `arn:aws:dynamodb:us-east-1:000000000000:table/${table}`;

function throttlingReason(tables: TableSchemas, p: Pick<PartitionUse, 'table' | 'index' | 'kind'>): ThrottlingReason {
  const kind = p.kind === 'read' ? 'Read' : 'Write';
  return {
    reason: `${p.index ? 'Index' : 'Table'}${kind}KeyRangeThroughputExceeded`,
    resource: p.index ? `${tableArn(tables, p.table)}/index/${p.index}` : tableArn(tables, p.table),
  };
}

/** What DynamoDB answers when a partition key is over its capacity: it depends on the table's billing mode. */
function hotPartitionError(c: DynamoDbRequestContext, partition: PartitionUse, item: RequestItem): DynamoDbErrorAnswer {
  const onDemand = c.tables.get(partition.table)?.onDemand ?? true;
  const message = onDemand
    ? partition.index
      ? THROTTLING_MESSAGES.onDemandIndex
      : THROTTLING_MESSAGES.onDemandTable
    : THROTTLING_MESSAGES.provisioned;
  if (TRANSACTIONS.has(c.operation)) {
    return transactionCanceled(
      c.items.length,
      new Map([[item.position, { Code: 'ThrottlingError', Message: message }]]),
    );
  }
  const reasons = [throttlingReason(c.tables, partition)];
  return onDemand ? throttlingException(message, reasons) : provisionedThroughputExceeded(message, reasons);
}

function ruleError(c: DynamoDbRequestContext, rule: DynamoDbRule, item: RequestItem | undefined): DynamoDbErrorAnswer {
  const use = { table: item?.table ?? '', index: undefined, kind: WRITES.has(c.operation) ? 'write' : 'read' } as const;
  const reasons = item ? [throttlingReason(c.tables, use)] : [];
  switch (rule.error) {
    case 'ThrottlingException':
      return throttlingException(rule.message ?? THROTTLING_MESSAGES.onDemandTable, reasons);
    case 'ProvisionedThroughputExceededException':
      return provisionedThroughputExceeded(rule.message ?? THROTTLING_MESSAGES.provisioned, reasons);
    case 'InternalServerError':
      return internalServerError(rule.message);
    case 'TransactionCanceledException': {
      const code = rule.reason ?? 'ThrottlingError';
      const defaults: Record<typeof code, string> = {
        ThrottlingError: THROTTLING_MESSAGES.onDemandTable,
        TransactionConflict: TRANSACTION_CONFLICT_MESSAGE,
        ValidationError: 'One or more parameter values were invalid: injected validation error',
      };
      const reason: CancellationReason = { Code: code, Message: rule.message ?? defaults[code] };
      return transactionCanceled(c.items.length, new Map([[item?.position ?? 0, reason]]));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The decision
// ---------------------------------------------------------------------------------------------------------------

export interface DynamoDbFaults {
  request(context: DynamoDbRequestContext): DynamoDbFault | undefined;
  counts(): DynamoDbFaultCounts;
}

export function createDynamoDbFaults(
  config: DynamoDbFaultsConfig,
  options: { now?: () => number } = {},
): DynamoDbFaults {
  const dice = new Dice(config.seed);
  const counts: DynamoDbFaultCounts = { dynamodbErrors: 0, partitionThrottles: 0, transactionConflicts: 0 };
  const seen = new Map<string, number>();
  const streams = config.dynamodb.map((r) => {
    const name = `dynamodb/${JSON.stringify([r.operations, r.function, r.table, r.keyPrefixes, r.error])}`;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return `${name}/${n}`;
  });
  const model = config.partitions ? new PartitionModel({ ...config.partitions, now: options.now }) : undefined;
  const conflicts = config.transactionConflicts ?? config.partitions !== undefined;
  const inFlight = conflicts ? new InFlightItems() : undefined;

  /** The items a rule selects, or undefined when it does not apply to this request. */
  const selected = (c: DynamoDbRequestContext, rule: DynamoDbRule): RequestItem[] | undefined => {
    if (rule.operations && !(rule.operations as readonly string[]).includes(c.operation)) return undefined;
    if (rule.error === 'TransactionCanceledException' && c.operation !== 'TransactWriteItems') return undefined;
    if (rule.function !== undefined && (c.functionName === undefined || !nameMatches(rule.function, c.functionName)))
      return undefined;
    const items = c.items.filter(
      (i) =>
        (rule.table === undefined || nameMatches(rule.table, i.table)) &&
        (rule.keyPrefixes === undefined || rule.keyPrefixes.some((p) => i.partitionKey?.startsWith(p))),
    );
    return items.length > 0 || (rule.table === undefined && rule.keyPrefixes === undefined) ? items : undefined;
  };

  const fromRules = (c: DynamoDbRequestContext): DynamoDbErrorAnswer | undefined => {
    for (const [index, rule] of config.dynamodb.entries()) {
      const items = selected(c, rule);
      const stream = streams[index] ?? `dynamodb/${index}`;
      if (!items || !dice.chance(stream, rule.probability)) continue;
      counts.dynamodbErrors++;
      const item = items.length > 0 ? items[dice.between(`${stream}/item`, 0, items.length - 1)] : undefined;
      return ruleError(c, rule, item);
    }
    return undefined;
  };

  const conflictError = (c: DynamoDbRequestContext): DynamoDbErrorAnswer | undefined => {
    const conflicting = inFlight?.conflicts(c.operation, c.items) ?? [];
    if (conflicting.length === 0) return undefined;
    counts.transactionConflicts++;
    if (!TRANSACTIONS.has(c.operation)) return transactionConflictException();
    const reason = { Code: 'TransactionConflict', Message: TRANSACTION_CONFLICT_MESSAGE };
    return transactionCanceled(c.items.length, new Map(conflicting.map((i) => [i.position, reason])));
  };

  const request = (c: DynamoDbRequestContext): DynamoDbFault | undefined => {
    if (!config.dynamodb.length && !model && !inFlight) return undefined;
    const injected = fromRules(c) ?? conflictError(c);
    if (injected) return { error: injected };
    const admission = model?.admit(c.items, config.partitions?.enforce !== false && !BATCHES.has(c.operation));
    if (admission?.throttled) {
      counts.partitionThrottles++;
      const { partition, item } = admission.throttled;
      return { error: hotPartitionError(c, partition, item), throttled: partition };
    }
    const release = inFlight?.hold(c.operation, c.items);
    const query = c.operation === 'Query' ? admission?.consumed[0] : undefined;
    return {
      consumed: admission?.consumed,
      done: (outcome) => {
        release?.();
        if (!query || !outcome.ok || !model) return undefined;
        // The Query took one 4 KB block up front; the rest is known from the size of its answer.
        const more = queryUnits(outcome.responseBytes, query.units) - query.units;
        if (more <= 0) return undefined;
        const extra = [{ ...query, units: more }];
        model.charge(extra);
        return extra;
      },
    };
  };

  return { request, counts: () => ({ ...counts }) };
}
