/** Small helpers the adapters share for turning stored items into domain objects and writing transactions. */
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TransactItem } from './outbox';
import { cancellationCodes } from './transactions';

/** Copies the listed fields that are present (drops keys, index attributes and bookkeeping). */
export function pickFields<T>(item: Record<string, unknown>, fields: readonly string[]): T {
  const picked: Record<string, unknown> = {};
  for (const field of fields) if (item[field] !== undefined) picked[field] = item[field];
  return picked as T;
}

/** Runs a transaction; false when it was cancelled (a condition failed or another transaction collided). */
export async function tryTransaction(client: DynamoDBDocumentClient, items: TransactItem[]): Promise<boolean> {
  try {
    await client.send(new TransactWriteCommand({ TransactItems: items }));
    return true;
  } catch (error) {
    if (cancellationCodes(error)) return false;
    throw error;
  }
}
