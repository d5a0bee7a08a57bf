import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { orderNotConfirmedCheck, orderOpenForCheckoutCheck } from '../../orders/adapters/transact-items';
import { outboxPut, type TransactItem } from '../../shared/ddb/outbox';
import { TransactionFailedError, transactWrite } from '../../shared/ddb/transactions';
import type { EventOf, InventoryReservedV1, StockAdjustedV1 } from '../../shared/events/catalog';
import { ENTITY, keys } from '../../shared/table/layout';
import type {
  InventoryRepository,
  Line,
  ReleaseOutcome,
  ReleaseRequest,
  Reservation,
  ReserveOutcome,
  StockLevels,
  StockSnapshot,
} from '../domain/stock';

const ZERO: StockLevels = { available: 0, reserved: 0, sold: 0, restocked: 0 };

/**
 * Transaction items that turn an order's holds into sales (reserved -> sold). Exported for the orders domain, whose
 * confirmation commits them in the same transaction as the order's status (one atomic step, no window where an
 * order is confirmed but its units are still only held).
 */
export function commitReservationItems(
  tableName: string,
  orderId: string,
  lines: readonly Line[],
  now: string,
): TransactItem[] {
  return lines.flatMap((line): TransactItem[] => [
    {
      Update: {
        TableName: tableName,
        Key: keys.reservation(orderId, line.sku),
        UpdateExpression: 'SET #status = :committed, updatedAt = :now REMOVE gsi1pk, gsi1sk',
        ConditionExpression: '#status = :held AND quantity = :q',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':committed': 'COMMITTED', ':held': 'HELD', ':q': line.quantity, ':now': now },
      },
    },
    {
      Update: {
        TableName: tableName,
        Key: keys.inventory(line.sku),
        UpdateExpression: 'SET reserved = reserved - :q, sold = sold + :q, version = version + :one, updatedAt = :now',
        ConditionExpression: 'reserved >= :q',
        ExpressionAttributeValues: { ':q': line.quantity, ':one': 1, ':now': now },
      },
    },
  ]);
}

/** Guards for an order that is being cancelled: none of its lines may still hold or own stock. */
export function noLiveReservationChecks(tableName: string, orderId: string, skus: readonly string[]): TransactItem[] {
  return skus.map((sku) => ({
    ConditionCheck: {
      TableName: tableName,
      Key: keys.reservation(orderId, sku),
      ConditionExpression: 'attribute_not_exists(pk) OR NOT (#status IN (:held, :committed))',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':held': 'HELD', ':committed': 'COMMITTED' },
    },
  }));
}

export class DynamoInventoryRepository implements InventoryRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async snapshot(sku: string): Promise<StockSnapshot> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.product(sku).pk },
        ConsistentRead: true,
      }),
    );
    const items = result.Items ?? [];
    const product = items.find((i) => i.sk === keys.product(sku).sk);
    const inventory = items.find((i) => i.sk === keys.inventory(sku).sk);
    if (!inventory) return { productExists: product !== undefined, levels: ZERO, version: 0 };
    return {
      productExists: product !== undefined,
      levels: {
        available: Number(inventory.available),
        reserved: Number(inventory.reserved),
        sold: Number(inventory.sold),
        restocked: Number(inventory.restocked),
      },
      version: Number(inventory.version),
    };
  }

  /**
   * An atomic increment: no condition on the counters or the version, so concurrent reservations never refuse it
   * (they may only make the transaction conflict, which transactWrite retries). The first restock creates the item.
   */
  async addStock(sku: string, delta: number, event: EventOf<typeof StockAdjustedV1>): Promise<boolean> {
    const outcome = await transactWrite(this.client, [
      // The product must still exist (restocking an unknown sku is a 404, never a stray counter).
      {
        ConditionCheck: {
          TableName: this.tableName,
          Key: keys.product(sku),
          ConditionExpression: 'attribute_exists(pk)',
        },
      },
      {
        Update: {
          TableName: this.tableName,
          Key: keys.inventory(sku),
          UpdateExpression:
            'SET entity = :entity, sku = :sku, reserved = if_not_exists(reserved, :zero), ' +
            'sold = if_not_exists(sold, :zero), updatedAt = :now ADD available :d, restocked :d, version :one',
          ExpressionAttributeValues: {
            ':entity': ENTITY.inventory,
            ':sku': sku,
            ':zero': 0,
            ':now': event.time,
            ':d': delta,
            ':one': 1,
          },
        },
      },
      outboxPut(this.tableName, event),
    ]);
    if (outcome.committed) return true;
    if (outcome.conditionFailed(keys.product(sku))) return false;
    throw new TransactionFailedError(['ConditionalCheckFailed on an item of a restock that has no condition']);
  }

  async reserve(
    orderId: string,
    lines: readonly Line[],
    event: EventOf<typeof InventoryReservedV1>,
  ): Promise<ReserveOutcome> {
    const now = event.time;
    const items: TransactItem[] = lines.flatMap((line): TransactItem[] => [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.inventory(line.sku),
          UpdateExpression:
            'SET available = available - :q, reserved = reserved + :q, version = version + :one, updatedAt = :now',
          ConditionExpression: 'available >= :q',
          ExpressionAttributeValues: { ':q': line.quantity, ':one': 1, ':now': now },
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.reservation(orderId, line.sku),
            ...keys.heldReservation(orderId, line.sku, now),
            entity: ENTITY.reservation,
            orderId,
            sku: line.sku,
            quantity: line.quantity,
            status: 'HELD',
            createdAt: now,
            updatedAt: now,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ]);
    // Atomic with the holds: the order is still PENDING and its customer has not asked to cancel.
    items.push(orderOpenForCheckoutCheck(this.tableName, orderId), outboxPut(this.tableName, event));
    const outcome = await transactWrite(this.client, items);
    if (outcome.committed) return { kind: 'reserved' };
    if (outcome.conditionFailed(keys.order(orderId))) return this.whyNotOpen(orderId);
    if (lines.some((line) => outcome.conditionFailed(keys.reservation(orderId, line.sku)))) {
      return { kind: 'alreadyReserved' };
    }
    const short = lines.filter((line) => outcome.conditionFailed(keys.inventory(line.sku))).map((l) => l.sku);
    if (short.length === 0) throw new TransactionFailedError(['ConditionalCheckFailed on an unknown item']);
    return { kind: 'outOfStock', skus: short };
  }

  /** The order guard of a reservation failed: because the customer asked to cancel, or the order is settled. */
  private async whyNotOpen(orderId: string): Promise<ReserveOutcome> {
    const result = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.order(orderId),
        ProjectionExpression: '#status, cancelRequestedAt',
        ExpressionAttributeNames: { '#status': 'status' },
        ConsistentRead: true,
      }),
    );
    const order = result.Item;
    if (order && typeof order.cancelRequestedAt === 'string') return { kind: 'cancellationRequested' };
    return { kind: 'orderClosed', status: order ? String(order.status) : 'MISSING' };
  }

  async reservationsOf(orderId: string): Promise<Reservation[]> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.orderPartition(orderId), ':prefix': keys.reservationPrefix },
        ConsistentRead: true,
      }),
    );
    return (result.Items ?? []).map((item) => ({
      orderId,
      sku: String(item.sku),
      quantity: Number(item.quantity),
      status: item.status as Reservation['status'],
    }));
  }

  async release(request: ReleaseRequest): Promise<ReleaseOutcome> {
    const { orderId, reason, now } = request;
    const items: TransactItem[] = request.actions.flatMap((action): TransactItem[] => {
      if (action.kind === 'tombstone') {
        return [
          {
            Put: {
              TableName: this.tableName,
              Item: {
                ...keys.reservation(orderId, action.sku),
                entity: ENTITY.reservation,
                orderId,
                sku: action.sku,
                quantity: 0,
                status: 'RELEASED',
                tombstone: true,
                reason,
                createdAt: now,
                updatedAt: now,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ];
      }
      const fromHeld = action.kind === 'releaseHeld';
      return [
        {
          Update: {
            TableName: this.tableName,
            Key: keys.reservation(orderId, action.sku),
            UpdateExpression: 'SET #status = :to, reason = :reason, updatedAt = :now REMOVE gsi1pk, gsi1sk',
            ConditionExpression: '#status = :from',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':to': fromHeld ? 'RELEASED' : 'RETURNED',
              ':from': fromHeld ? 'HELD' : 'COMMITTED',
              ':reason': reason,
              ':now': now,
            },
          },
        },
        {
          Update: {
            TableName: this.tableName,
            Key: keys.inventory(action.sku),
            UpdateExpression: fromHeld
              ? 'SET available = available + :q, reserved = reserved - :q, version = version + :one, updatedAt = :now'
              : 'SET available = available + :q, sold = sold - :q, version = version + :one, updatedAt = :now',
            ConditionExpression: fromHeld ? 'reserved >= :q' : 'sold >= :q',
            ExpressionAttributeValues: { ':q': action.quantity, ':one': 1, ':now': now },
          },
        },
      ];
    });
    if (request.unlessConfirmed) items.push(orderNotConfirmedCheck(this.tableName, orderId));
    if (request.event) items.push(outboxPut(this.tableName, request.event));
    const outcome = await transactWrite(this.client, items);
    if (outcome.committed) return 'released';
    if (request.unlessConfirmed && outcome.conditionFailed(keys.order(orderId))) return 'orderConfirmed';
    return 'stale';
  }

  async commitHeld(orderId: string, line: Line, now: string): Promise<boolean> {
    const outcome = await transactWrite(this.client, commitReservationItems(this.tableName, orderId, [line], now));
    return outcome.committed;
  }
}
