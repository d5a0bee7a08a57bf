import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor } from '../../shared/ddb/cursor';
import { outboxPut } from '../../shared/ddb/outbox';
import { cancellationCodes } from '../../shared/ddb/transactions';
import type { EventOf, NotificationSentV1, NotificationType } from '../../shared/events/catalog';
import { ENTITY, keys } from '../../shared/table/layout';
import type { NotificationView } from '../contract';
import type { Notification, NotificationRepository } from '../domain/notify';

export class DynamoNotifications implements NotificationRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async exists(customerId: string, orderId: string, type: NotificationType): Promise<boolean> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.notification(customerId, orderId, type),
        ProjectionExpression: 'pk',
        ConsistentRead: true,
      }),
    );
    return result.Item !== undefined;
  }

  async record(notification: Notification, event: EventOf<typeof NotificationSentV1>): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...keys.notification(notification.customerId, notification.orderId, notification.type),
                  entity: ENTITY.notification,
                  ...notification,
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
      if (cancellationCodes(error)) return false;
      throw error;
    }
  }

  async list(customerId: string, limit: number, cursor: string | undefined) {
    const partition = keys.customerPartition(customerId);
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': partition, ':prefix': keys.notificationPrefix },
        ScanIndexForward: false,
        Limit: limit + 1,
        ExclusiveStartKey: decodeCursor(cursor, { attribute: 'pk', value: partition }),
      }),
    );
    const items = result.Items ?? [];
    const page = items.slice(0, limit);
    const last = page[page.length - 1];
    const views: NotificationView[] = page.map((item) => ({
      orderId: String(item.orderId),
      type: item.type as NotificationType,
      channel: String(item.channel),
      sentAt: String(item.sentAt),
    }));
    return {
      items: views,
      nextCursor: items.length > limit && last ? encodeCursor({ pk: last.pk, sk: last.sk }) : null,
    };
  }
}
