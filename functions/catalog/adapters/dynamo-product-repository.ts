import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { pickFields } from '../../shared/ddb/items';
import { outboxPut } from '../../shared/ddb/outbox';
import { queryPage } from '../../shared/ddb/queries';
import { tryTransaction } from '../../shared/ddb/transactions';
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
];
const toProduct = (item: Record<string, unknown>) => pickFields<Product>(item, PRODUCT_FIELDS);

export class DynamoProductRepository implements ProductRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Product and ProductCreated in one transaction; false when the sku exists (the only condition). */
  create(product: Product, event: EventOf<typeof ProductCreatedV1>): Promise<boolean> {
    return tryTransaction(
      this.client,
      [
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
      [keys.product(product.sku)],
    );
  }

  async get(sku: string): Promise<Product | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.product(sku) }));
    return result.Item ? toProduct(result.Item) : undefined;
  }

  async list(limit: number, cursor: string | undefined): Promise<ProductPage> {
    const page = await queryPage(this.client, {
      tableName: this.tableName,
      index: TABLE.gsi1,
      partition: keys.catalogPartition,
      limit,
      cursor,
    });
    return { items: page.items.map(toProduct), nextCursor: page.nextCursor };
  }
}
