import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { pickFields } from '../../shared/ddb/items';
import { outboxPut } from '../../shared/ddb/outbox';
import { isConditionalCheckFailed, tryTransaction } from '../../shared/ddb/transactions';
import type { EventEnvelope } from '../../shared/events/envelope';
import { ENTITY, keys } from '../../shared/table/layout';
import type { OrderFacts, OrderFactsSource, Payment, PaymentRepository } from '../domain/payment';

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

/** A payment whose money was released (not a tombstone) waits in the reconciler's review list. */
const closed = (payment: Payment) =>
  !payment.tombstone && (payment.status === 'VOIDED' || payment.status === 'REFUNDED');

const paymentItem = (payment: Payment) => ({
  ...keys.payment(payment.orderId, payment.paymentId),
  ...(closed(payment) ? keys.closedPayment(payment.orderId, payment.updatedAt) : {}),
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
    return tryTransaction(
      this.client,
      [
        {
          Put: {
            TableName: this.tableName,
            Item: paymentItem(payment),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        outboxPut(this.tableName, event),
      ],
      [keys.payment(payment.orderId, payment.paymentId)],
    );
  }

  transition(previous: Payment, next: Payment, event: EventEnvelope): Promise<boolean> {
    return tryTransaction(
      this.client,
      [
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
      ],
      [keys.payment(next.orderId, next.paymentId)],
    );
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

/** Reads what payments need of an order from the order item (written by the orders domain). */
export class DynamoOrderFacts implements OrderFactsSource {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async factsOf(orderId: string): Promise<OrderFacts | undefined> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.order(orderId),
        ProjectionExpression: '#status, cancelRequestedAt, paymentToken',
        ExpressionAttributeNames: { '#status': 'status' },
        ConsistentRead: true,
      }),
    );
    const item = result.Item;
    if (!item) return undefined;
    return {
      status: item.status as OrderFacts['status'],
      cancelRequested: typeof item.cancelRequestedAt === 'string',
      ...(typeof item.paymentToken === 'string' ? { paymentToken: item.paymentToken } : {}),
    };
  }
}
