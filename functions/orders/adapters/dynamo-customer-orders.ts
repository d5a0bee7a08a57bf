import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { pickFields } from '../../shared/ddb/items';
import { queryPage } from '../../shared/ddb/queries';
import { isConditionalCheckFailed } from '../../shared/ddb/transactions';
import { ENTITY, keys } from '../../shared/table/layout';
import type { CustomerOrderView } from '../contract';
import type { CustomerOrderRow, CustomerOrdersRepository } from '../domain/customer-orders';

const ROW_FIELDS = ['orderId', 'status', 'reason', 'totalCents', 'currency', 'createdAt', 'updatedAt'];

export class DynamoCustomerOrders implements CustomerOrdersRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async applyIfNewer(row: CustomerOrderRow): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.customerOrder(row.customerId, row.orderId),
          UpdateExpression:
            'SET entity = :entity, orderId = :orderId, customerId = :customerId, #status = :status, totalCents = :total, ' +
            'currency = :currency, createdAt = :createdAt, updatedAt = :updatedAt, #seq = :seq' +
            (row.reason ? ', reason = :reason' : ' REMOVE reason'),
          ConditionExpression: 'attribute_not_exists(#seq) OR #seq < :seq',
          ExpressionAttributeNames: { '#status': 'status', '#seq': 'sequence' },
          ExpressionAttributeValues: {
            ':entity': ENTITY.customerOrder,
            ':orderId': row.orderId,
            ':customerId': row.customerId,
            ':status': row.status,
            ':total': row.totalCents,
            ':currency': row.currency,
            ':createdAt': row.createdAt,
            ':updatedAt': row.updatedAt,
            ':seq': row.sequence,
            ...(row.reason ? { ':reason': row.reason } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Newest first (order ids are ULIDs, so the sort key orders by time). */
  async list(customerId: string, limit: number, cursor: string | undefined) {
    const page = await queryPage(this.client, {
      tableName: this.tableName,
      partition: keys.customerPartition(customerId),
      sortPrefix: keys.customerOrderPrefix,
      newestFirst: true,
      limit,
      cursor,
    });
    const items = page.items.map((item) => pickFields<CustomerOrderView>(item, ROW_FIELDS));
    return { items, nextCursor: page.nextCursor };
  }
}
