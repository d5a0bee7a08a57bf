/**
 * THE way the adapters run a TransactWriteItems, and the one place that decides what its failures mean.
 *
 * Only a failed condition is a business outcome ("out of stock", "already exists", "someone changed it"), and only
 * on the item whose condition it is: the outcome answers `conditionFailed(key)` by the item's key, never by its
 * position in the list. Everything else is not an answer about the data:
 *  - `TransactionConflict` (another transaction held an item), `ThrottlingError` / `ProvisionedThroughputExceeded`
 *    (a hot partition or the table's limits), and the same as whole-request errors once the SDK's own retries are
 *    spent: retried here with capped exponential backoff and full jitter, then a TransientError (the saga retries
 *    it, a consumer is redelivered, the API answers 503 with Retry-After);
 *  - any other reason (`ValidationError`, `ItemCollectionSizeLimitExceeded`, a cancellation without a failed
 *    condition) is a bug or a limit: a TransactionFailedError, never read as a business outcome.
 */
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../errors';
import { TABLE } from '../table/layout';
import type { TransactItem } from './outbox';

export type CancellationCode =
  | 'None'
  | 'ConditionalCheckFailed'
  | 'TransactionConflict'
  | 'ThrottlingError'
  | 'ProvisionedThroughputExceeded'
  | 'ValidationError'
  | string;

/** Reasons that say nothing about the data: the same request may well succeed a moment later. */
const TRANSIENT_REASONS: ReadonlySet<string> = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
]);

/** Whole-request errors of the same kind (the SDK retries the throttles itself first; conflicts it does not). */
const TRANSIENT_ERRORS: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  'TransactionInProgressException',
]);

/** A transaction refused for a reason that is neither a failed condition nor transient: a bug or a limit. */
export class TransactionFailedError extends Error {
  override readonly name = 'TransactionFailed';
  constructor(readonly codes: readonly CancellationCode[]) {
    super(`TransactWriteItems was cancelled: ${codes.join(', ')}`);
  }
}

/** An item's key (or the item itself): only the table's key attributes are read. */
export type KeyLike = object;

export interface TransactOutcome {
  readonly committed: boolean;
  /** True when the condition on the item with this key failed (always false when committed). */
  conditionFailed(key: KeyLike): boolean;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 6,
  baseMs: 25,
  maxMs: 1_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Full jitter: a random pause up to min(max, base * 2^attempt) (AWS Architecture Blog, "Exponential Backoff"). */
export function backoffMs(policy: Pick<RetryPolicy, 'baseMs' | 'maxMs' | 'random'>, attempt: number): number {
  return Math.floor(policy.random() * Math.min(policy.maxMs, policy.baseMs * 2 ** attempt));
}

const errorName = (error: unknown): string | undefined => (error as { name?: string } | undefined)?.name;

/** The per-item cancellation codes, or undefined when the error is not a cancelled transaction. */
export function cancellationCodes(error: unknown): CancellationCode[] | undefined {
  if (errorName(error) !== 'TransactionCanceledException') return undefined;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((reason) => reason.Code ?? 'None');
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return errorName(error) === 'ConditionalCheckFailedException';
}

/** Throttling or a conflict with another transaction, as a whole-request error. */
export function isTransientDynamoError(error: unknown): boolean {
  const name = errorName(error);
  return name !== undefined && TRANSIENT_ERRORS.has(name);
}

function keyOfItem(item: TransactItem): Record<string, unknown> | undefined {
  if (item.Put) return item.Put.Item;
  return (item.Update ?? item.Delete ?? item.ConditionCheck)?.Key;
}

function tableOfItem(item: TransactItem): string | undefined {
  return (item.Put ?? item.Update ?? item.Delete ?? item.ConditionCheck)?.TableName;
}

/** Identity of an item: its table and its key attributes (a Put's item carries its key among its attributes). */
function identity(table: string | undefined, key: KeyLike | undefined): string {
  const attributes = (key ?? {}) as Record<string, unknown>;
  return JSON.stringify([table ?? '', attributes[TABLE.partitionKey] ?? null, attributes[TABLE.sortKey] ?? null]);
}

const COMMITTED: TransactOutcome = { committed: true, conditionFailed: () => false };

/** Decides what a cancellation means; undefined when it must be retried. */
function classify(items: readonly TransactItem[], codes: readonly CancellationCode[]): TransactOutcome | undefined {
  if (codes.some((code) => TRANSIENT_REASONS.has(code))) return undefined;
  const failed = new Set<string>();
  codes.forEach((code, i) => {
    const item = items[i];
    if (code === 'ConditionalCheckFailed' && item) failed.add(identity(tableOfItem(item), keyOfItem(item)));
  });
  const onlyConditions = codes.every((code) => code === 'None' || code === 'ConditionalCheckFailed');
  if (failed.size === 0 || !onlyConditions) throw new TransactionFailedError(codes);
  const table = tableOfItem(items[0] as TransactItem);
  return { committed: false, conditionFailed: (key) => failed.has(identity(table, key)) };
}

/**
 * Runs one TransactWriteItems (all items in one table). Resolves with the outcome when it committed or when
 * conditions failed; retries what is transient; throws TransientError when that kept failing, and
 * TransactionFailedError or the SDK's error for anything else.
 */
export async function transactWrite(
  client: DynamoDBDocumentClient,
  items: TransactItem[],
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<TransactOutcome> {
  let last = 'unknown';
  for (let attempt = 0; attempt < policy.attempts; attempt++) {
    if (attempt > 0) await policy.sleep(backoffMs(policy, attempt));
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items }));
      return COMMITTED;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (codes) {
        const outcome = classify(items, codes);
        if (outcome) return outcome;
        last = codes.join(', ');
        continue;
      }
      if (isTransientDynamoError(error)) {
        last = errorName(error) ?? 'error';
        continue;
      }
      throw error;
    }
  }
  throw new TransientError(`TransactWriteItems kept failing after ${policy.attempts} attempts (${last})`);
}

/**
 * For transactions whose only business outcome is "the condition on one of these items failed": true when it
 * committed, false when one of `guarded` failed its condition; a failed condition on any other item is unexpected
 * (a TransactionFailedError).
 */
export async function tryTransaction(
  client: DynamoDBDocumentClient,
  items: TransactItem[],
  guarded: readonly KeyLike[],
): Promise<boolean> {
  const outcome = await transactWrite(client, items);
  if (outcome.committed) return true;
  if (guarded.some((key) => outcome.conditionFailed(key))) return false;
  throw new TransactionFailedError(['ConditionalCheckFailed on an item that was not expected to fail']);
}
