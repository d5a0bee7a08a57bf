import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { pickFields, tryTransaction } from '../../shared/ddb/items';
import { outboxPut } from '../../shared/ddb/outbox';
import { isConditionalCheckFailed } from '../../shared/ddb/transactions';
import type { EventEnvelope } from '../../shared/events/envelope';
import { ENTITY, keys } from '../../shared/table/layout';
import type { Payment, PaymentMethodSource, PaymentRepository } from '../domain/payment';

const FIELDS = [
  'paymentId',
  'orderId',
  'status',
  'amountCents',
  'currency',
  'providerRef',
  'declineCode',
  'createdAt',
  'updatedAt',
  'version',
  'tombstone',
] as const;

const toPayment = (item: Record<string, unknown>) => pickFields<Payment>(item, FIELDS);

const paymentItem = (payment: Payment) => ({
  ...keys.payment(payment.orderId, payment.paymentId),
  entity: ENTITY.payment,
  ...payment,
});

export class DynamoPaymentRepository implements PaymentRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(orderId: string, paymentId: string): Promise<Payment | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.payment(orderId, paymentId), ConsistentRead: true }),
    );
    return result.Item ? toPayment(result.Item) : undefined;
  }

  /** One Query over the order's item collection: the order itself tells whether it exists. */
  async listFor(orderId: string): Promise<{ orderExists: boolean; payments: Payment[] }> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.orderPartition(orderId) },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return {
      orderExists: items.some((item) => item.sk === keys.order(orderId).sk),
      payments: items.filter((item) => String(item.sk).startsWith(keys.paymentPrefix)).map(toPayment),
    };
  }

  record(payment: Payment, event: EventEnvelope): Promise<boolean> {
    return tryTransaction(this.client, [
      {
        Put: { TableName: this.tableName, Item: paymentItem(payment), ConditionExpression: 'attribute_not_exists(pk)' },
      },
      outboxPut(this.tableName, event),
    ]);
  }

  transition(previous: Payment, next: Payment, event: EventEnvelope): Promise<boolean> {
    return tryTransaction(this.client, [
      {
        Put: {
          TableName: this.tableName,
          Item: paymentItem(next),
          ConditionExpression: '#status = :status AND version = :version',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': previous.status, ':version': previous.version },
        },
      },
      outboxPut(this.tableName, event),
    ]);
  }

  async recordTombstone(tombstone: Payment): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: paymentItem(tombstone),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}

/** Reads the payment token stored on the order (written by the orders domain when the order was placed). */
export class DynamoPaymentMethodSource implements PaymentMethodSource {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async tokenFor(orderId: string): Promise<string | undefined> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.order(orderId),
        ProjectionExpression: 'paymentToken',
        ConsistentRead: true,
      }),
    );
    const token = result.Item?.paymentToken;
    return typeof token === 'string' ? token : undefined;
  }
}
