/**
 * Helpers to read why a TransactWriteItems was cancelled. DynamoDB returns one reason per item, in order,
 * so callers map a failed condition back to the item that caused it.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';

export type CancellationCode = 'None' | 'ConditionalCheckFailed' | 'TransactionConflict' | 'ThrottlingError' | string;

/** Returns the per-item cancellation codes, or undefined when the error is not a cancelled transaction. */
export function cancellationCodes(error: unknown): CancellationCode[] | undefined {
  if (
    error instanceof TransactionCanceledException ||
    (error as { name?: string })?.name === 'TransactionCanceledException'
  ) {
    const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
    return reasons.map((reason) => reason.Code ?? 'None');
  }
  return undefined;
}

/** True when the only failures of a cancelled transaction are condition checks (a business outcome, not a fault). */
export function onlyConditionsFailed(codes: readonly CancellationCode[]): boolean {
  return (
    codes.every((code) => code === 'None' || code === 'ConditionalCheckFailed') &&
    codes.some((code) => code === 'ConditionalCheckFailed')
  );
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}
