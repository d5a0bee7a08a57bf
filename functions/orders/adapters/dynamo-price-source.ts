import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../shared/table/layout';
import type { PriceSource } from '../domain/order';

/** Reads catalog prices (at most 25 skus: one BatchGetItem, retrying unprocessed keys). */
export class DynamoPriceSource implements PriceSource {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async prices(skus: readonly string[]) {
    const found = new Map<string, { priceCents: number; currency: string }>();
    let pending: Record<string, unknown>[] = skus.map((sku) => ({ ...keys.product(sku) }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      if (attempt > 5) throw new Error('Catalog prices could not be read: keys stayed unprocessed');
      const result = await this.client.send(
        new BatchGetCommand({
          RequestItems: {
            [this.tableName]: { Keys: pending, ProjectionExpression: 'sku, priceCents, currency' },
          },
        }),
      );
      for (const item of result.Responses?.[this.tableName] ?? []) {
        found.set(String(item.sku), { priceCents: Number(item.priceCents), currency: String(item.currency) });
      }
      pending = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
    return found;
  }
}
