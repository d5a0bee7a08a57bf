/**
 * A simulated e-mail channel. It honours idempotency keys the way a provider with deduplication does: the first
 * send of a key delivers a message to the customer's mailbox, a repeated key delivers nothing new but counts the
 * attempt (the chaos checks read `attempts` and `deliveries` to prove exactly-once delivery).
 * Swap it for an SES/SNS adapter behind the same NotificationChannel interface on a real deployment.
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ENTITY, keys } from '../../shared/table/layout';
import type { NotificationChannel, OutgoingMessage } from '../domain/notify';

export const MAILBOX_CHANNEL_NAME = 'email';

export class MailboxChannel implements NotificationChannel {
  readonly name = MAILBOX_CHANNEL_NAME;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async send(message: OutgoingMessage): Promise<void> {
    const now = new Date().toISOString();
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.mailboxMessage(message.idempotencyKey),
        // First send: store the message (deliveries = 1). Repeats: only count the attempt.
        UpdateExpression:
          'SET entity = :entity, customerId = :customerId, orderId = :orderId, #type = :type, subject = :subject, ' +
          'body = :body, deliveredAt = if_not_exists(deliveredAt, :now), deliveries = if_not_exists(deliveries, :one) ' +
          'ADD attempts :one',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':entity': ENTITY.mailboxMessage,
          ':customerId': message.customerId,
          ':orderId': message.orderId,
          ':type': message.type,
          ':subject': message.subject,
          ':body': message.body,
          ':now': now,
          ':one': 1,
        },
      }),
    );
  }
}
