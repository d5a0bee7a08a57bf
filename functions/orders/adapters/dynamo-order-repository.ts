import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { commitReservationItems, noLiveReservationChecks } from '../../inventory/adapters/dynamo-inventory-repository';
import { livePaymentCheck, noLivePaymentCheck } from '../../payments/adapters/transact-items';
import { paymentIdFor } from '../../payments/domain/payment';
import { pickFields } from '../../shared/ddb/items';
import { outboxPut, type TransactItem } from '../../shared/ddb/outbox';
import { TransactionFailedError, type TransactOutcome, transactWrite } from '../../shared/ddb/transactions';
import type {
  EventOf,
  OrderCancellationRequestedV1,
  OrderCancelledV1,
  OrderConfirmedV1,
  OrderPlacedV1,
  OrderSagaFailedV1,
} from '../../shared/events/catalog';
import type { EventEnvelope } from '../../shared/events/envelope';
import { ENTITY, keys, REQUEST_KEY_TTL_SECONDS, TABLE, ttlFromNow } from '../../shared/table/layout';
import {
  type CancelOutcome,
  type ConfirmOutcome,
  type CreateOutcome,
  isSettled,
  type Order,
  type OrderRepository,
  type RequestKey,
} from '../domain/order';

const ORDER_FIELDS = [
  'orderId',
  'customerId',
  'status',
  'reason',
  'items',
  'totalCents',
  'currency',
  'paymentToken',
  'createdAt',
  'updatedAt',
  'version',
  'correlationId',
  'cancelRequestedAt',
  'sagaFailure',
] as const;

export const toOrder = (item: Record<string, unknown>) => pickFields<Order>(item, ORDER_FIELDS);

/** The stored form of an order: it stays in the reconciler's sparse index of open orders until it is settled. */
export function orderItem(order: Order): Record<string, unknown> {
  return {
    ...keys.order(order.orderId),
    ...(isSettled(order) ? {} : keys.openOrder(order.orderId, order.createdAt)),
    entity: ENTITY.order,
    ...order,
  };
}

export class DynamoOrderRepository implements OrderRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private putNext(previous: Order, next: Order): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: orderItem(next),
        ConditionExpression: 'version = :version',
        ExpressionAttributeValues: { ':version': previous.version },
      },
    };
  }

  private transact(items: TransactItem[]): Promise<TransactOutcome> {
    return transactWrite(this.client, items);
  }

  async create(
    order: Order,
    event: EventOf<typeof OrderPlacedV1>,
    requestKey: RequestKey | undefined,
  ): Promise<CreateOutcome> {
    const items: TransactItem[] = [
      { Put: { TableName: this.tableName, Item: orderItem(order), ConditionExpression: 'attribute_not_exists(pk)' } },
    ];
    if (requestKey) {
      const nowMs = Date.parse(order.createdAt);
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.requestKey(requestKey.key),
            entity: ENTITY.requestKey,
            requestHash: requestKey.hash,
            orderId: order.orderId,
            createdAt: order.createdAt,
            [TABLE.ttlAttribute]: ttlFromNow(REQUEST_KEY_TTL_SECONDS, nowMs),
          },
          // An expired key (TTL not swept yet) may be used again.
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
          ExpressionAttributeNames: { '#ttl': TABLE.ttlAttribute },
          ExpressionAttributeValues: { ':now': Math.floor(nowMs / 1000) },
        },
      });
    }
    items.push(outboxPut(this.tableName, event));
    const outcome = await this.transact(items);
    if (outcome.committed) return { created: true };
    if (requestKey && outcome.conditionFailed(keys.requestKey(requestKey.key))) {
      const existing = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: keys.requestKey(requestKey.key), ConsistentRead: true }),
      );
      if (existing.Item) {
        return {
          created: false,
          existingOrderId: String(existing.Item.orderId),
          existingHash: String(existing.Item.requestHash),
        };
      }
    }
    throw new TransactionFailedError([`Order ${order.orderId} could not be created: a condition failed`]);
  }

  async get(orderId: string): Promise<Order | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.order(orderId), ConsistentRead: true }),
    );
    return result.Item ? toOrder(result.Item) : undefined;
  }

  private async writeWithEvent(previous: Order, next: Order, event: EventEnvelope): Promise<boolean> {
    const outcome = await this.transact([this.putNext(previous, next), outboxPut(this.tableName, event)]);
    if (outcome.committed) return true;
    if (outcome.conditionFailed(keys.order(next.orderId))) return false;
    throw new TransactionFailedError(['ConditionalCheckFailed on an item other than the order']);
  }

  requestCancellation(
    previous: Order,
    next: Order,
    event: EventOf<typeof OrderCancellationRequestedV1>,
  ): Promise<boolean> {
    return this.writeWithEvent(previous, next, event);
  }

  recordSagaFailure(previous: Order, next: Order, event: EventOf<typeof OrderSagaFailedV1>): Promise<boolean> {
    return this.writeWithEvent(previous, next, event);
  }

  /** Order CONFIRMED + holds turned into sales + "a live payment exists" + event: one transaction. */
  async confirm(previous: Order, next: Order, event: EventOf<typeof OrderConfirmedV1>): Promise<ConfirmOutcome> {
    const { orderId } = next;
    const outcome = await this.transact([
      this.putNext(previous, next),
      ...commitReservationItems(this.tableName, orderId, next.items, next.updatedAt),
      livePaymentCheck(this.tableName, orderId),
      outboxPut(this.tableName, event),
    ]);
    if (outcome.committed) return 'confirmed';
    if (outcome.conditionFailed(keys.order(orderId))) return 'staleOrder';
    const failedLine = next.items.find(
      (line) =>
        outcome.conditionFailed(keys.reservation(orderId, line.sku)) ||
        outcome.conditionFailed(keys.inventory(line.sku)),
    );
    if (failedLine) return { blocked: `the reservation of ${failedLine.sku} is not held` };
    if (outcome.conditionFailed(keys.payment(orderId, paymentIdFor(orderId))))
      return { blocked: 'no authorized payment' };
    throw new TransactionFailedError(['ConditionalCheckFailed on an unknown item of a confirmation']);
  }

  /** Order CANCELLED + "no stock held, no live payment" + event: one transaction. */
  async cancel(previous: Order, next: Order, event: EventOf<typeof OrderCancelledV1>): Promise<CancelOutcome> {
    const { orderId } = next;
    const skus = next.items.map((l) => l.sku);
    const outcome = await this.transact([
      this.putNext(previous, next),
      ...noLiveReservationChecks(this.tableName, orderId, skus),
      noLivePaymentCheck(this.tableName, orderId),
      outboxPut(this.tableName, event),
    ]);
    if (outcome.committed) return 'cancelled';
    if (outcome.conditionFailed(keys.order(orderId))) return 'staleOrder';
    const held = skus.filter((sku) => outcome.conditionFailed(keys.reservation(orderId, sku)));
    if (held.length > 0) return { blocked: `stock is still held or sold for ${held.join(', ')}` };
    if (outcome.conditionFailed(keys.payment(orderId, paymentIdFor(orderId))))
      return { blocked: 'a payment is still live' };
    throw new TransactionFailedError(['ConditionalCheckFailed on an unknown item of a cancellation']);
  }
}
