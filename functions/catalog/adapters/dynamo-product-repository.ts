import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor } from '../../shared/ddb/cursor';
import { outboxPut } from '../../shared/ddb/outbox';
import { cancellationCodes } from '../../shared/ddb/transactions';
import type { EventOf, ProductCreatedV1 } from '../../shared/events/catalog';
import { ENTITY, keys, TABLE } from '../../shared/table/layout';
import type { Product, ProductPage, ProductRepository } from '../domain/product';

const PRODUCT_FIELDS = [
  'sku',
  'name',
  'description',
  'category',
  'priceCents',
  'currency',
  'createdAt',
  'updatedAt',
  'version',
] as const;

function toProduct(item: Record<string, unknown>): Product {
  const product: Record<string, unknown> = {};
  for (const field of PRODUCT_FIELDS) if (item[field] !== undefined) product[field] = item[field];
  return product as unknown as Product;
}

export class DynamoProductRepository implements ProductRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(product: Product, event: EventOf<typeof ProductCreatedV1>): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.product(product.sku),
                  ...keys.productListing(product.sku),
                  entity: ENTITY.product,
                  ...product,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            outboxPut(this.tableName, event),
          ],
        }),
      );
      return true;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (codes?.[0] === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  async get(sku: string): Promise<Product | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.product(sku) }));
    return result.Item ? toProduct(result.Item) : undefined;
  }

  /** Reads one item more than asked, so `nextCursor` is null exactly on the last page. */
  async list(limit: number, cursor: string | undefined): Promise<ProductPage> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: TABLE.gsi1.indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE.gsi1.partitionKey },
        ExpressionAttributeValues: { ':pk': keys.catalogPartition },
        Limit: limit + 1,
        ExclusiveStartKey: decodeCursor(cursor, { attribute: TABLE.gsi1.partitionKey, value: keys.catalogPartition }),
      }),
    );
    const items = result.Items ?? [];
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor =
      items.length > limit && last
        ? encodeCursor({ pk: last.pk, sk: last.sk, gsi1pk: last.gsi1pk, gsi1sk: last.gsi1sk })
        : null;
    return { items: page.map(toProduct), nextCursor };
  }
}
