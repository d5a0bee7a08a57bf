import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor } from '../../shared/ddb/cursor';
import { isConditionalCheckFailed } from '../../shared/ddb/transactions';
import { ENTITY, keys } from '../../shared/table/layout';
import type { CustomerOrderView } from '../contract';
import type { CustomerOrderRow, CustomerOrdersRepository } from '../domain/customer-orders';

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

  /** Newest first (order ids are ULIDs, so the sort key orders by time); one extra item tells if a page follows. */
  async list(customerId: string, limit: number, cursor: string | undefined) {
    const partition = keys.customerPartition(customerId);
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': partition, ':prefix': keys.customerOrderPrefix },
        ScanIndexForward: false,
        Limit: limit + 1,
        ExclusiveStartKey: decodeCursor(cursor, { attribute: 'pk', value: partition }),
      }),
    );
    const items = result.Items ?? [];
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    const views: CustomerOrderView[] = page.map((item) => ({
      orderId: String(item.orderId),
      status: item.status as CustomerOrderView['status'],
      ...(item.reason ? { reason: item.reason as CustomerOrderView['reason'] } : {}),
      totalCents: Number(item.totalCents),
      currency: String(item.currency),
      createdAt: String(item.createdAt),
      updatedAt: String(item.updatedAt),
    }));
    return {
      items: views,
      nextCursor: items.length > limit && last ? encodeCursor({ pk: last.pk, sk: last.sk }) : null,
    };
  }
}
