import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { pickFields } from '../../shared/ddb/items';
import { outboxPut } from '../../shared/ddb/outbox';
import { queryPage } from '../../shared/ddb/queries';
import { tryTransaction } from '../../shared/ddb/transactions';
import type { EventOf, NotificationSentV1, NotificationType } from '../../shared/events/catalog';
import { ENTITY, keys } from '../../shared/table/layout';
import type { NotificationView } from '../contract';
import type { Notification, NotificationRepository } from '../domain/notify';

const NOTIFICATION_FIELDS = ['orderId', 'type', 'channel', 'sentAt'];

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

  /** The notification and NotificationSent in one transaction; false when it was recorded already. */
  record(notification: Notification, event: EventOf<typeof NotificationSentV1>): Promise<boolean> {
    return tryTransaction(
      this.client,
      [
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
      [keys.notification(notification.customerId, notification.orderId, notification.type)],
    );
  }

  /** Newest first (order ids are ULIDs). */
  async list(customerId: string, limit: number, cursor: string | undefined) {
    const page = await queryPage(this.client, {
      tableName: this.tableName,
      partition: keys.customerPartition(customerId),
      sortPrefix: keys.notificationPrefix,
      newestFirst: true,
      limit,
      cursor,
    });
    const items = page.items.map((item) => pickFields<NotificationView>(item, NOTIFICATION_FIELDS));
    return { items, nextCursor: page.nextCursor };
  }
}
