import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { tryTransaction } from '../../shared/ddb/items';
import { outboxPut, type TransactItem } from '../../shared/ddb/outbox';
import { cancellationCodes } from '../../shared/ddb/transactions';
import { TransientError } from '../../shared/errors';
import type {
  CancelReason,
  EventOf,
  InventoryReleasedV1,
  InventoryReservedV1,
  StockAdjustedV1,
} from '../../shared/events/catalog';
import { ENTITY, keys } from '../../shared/table/layout';
import type {
  InventoryRepository,
  Line,
  ReleaseAction,
  Reservation,
  ReserveOutcome,
  StockLevels,
  StockSnapshot,
} from '../domain/stock';

const ZERO: StockLevels = { available: 0, reserved: 0, sold: 0, restocked: 0 };
const CONFLICT_RETRIES = 4;

/** Small random pause before retrying a transaction that collided with another one on the same item. */
function conflictPause(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** attempt));
}

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

  async applyRestock(
    sku: string,
    expectedVersion: number,
    next: StockLevels,
    event: EventOf<typeof StockAdjustedV1>,
  ): Promise<boolean> {
    const delta = event.data.delta;
    const write: TransactItem =
      expectedVersion === 0
        ? {
            Put: {
              TableName: this.tableName,
              Item: {
                ...keys.inventory(sku),
                entity: ENTITY.inventory,
                sku,
                ...next,
                version: 1,
                updatedAt: event.time,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          }
        : {
            Update: {
              TableName: this.tableName,
              Key: keys.inventory(sku),
              UpdateExpression:
                'SET available = available + :d, restocked = restocked + :d, version = :next, updatedAt = :now',
              ConditionExpression: 'version = :expected',
              ExpressionAttributeValues: {
                ':d': delta,
                ':next': expectedVersion + 1,
                ':expected': expectedVersion,
                ':now': event.time,
              },
            },
          };
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            // The product must still exist (restocking an unknown sku is a 404, never a stray counter).
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: keys.product(sku),
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            write,
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
    items.push(outboxPut(this.tableName, event));
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items }));
        return { kind: 'reserved' };
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) throw error;
        if (codes.includes('TransactionConflict')) {
          if (attempt >= CONFLICT_RETRIES)
            throw new TransientError(`Reservation of order ${orderId} kept colliding with other transactions`);
          await conflictPause(attempt);
          continue;
        }
        // Odd positions are the reservation items: a failed one means an earlier attempt already reserved.
        if (codes.some((code, i) => i % 2 === 1 && i < lines.length * 2 && code === 'ConditionalCheckFailed')) {
          return { kind: 'alreadyReserved' };
        }
        const short = lines.filter((_, i) => codes[i * 2] === 'ConditionalCheckFailed').map((l) => l.sku);
        return { kind: 'outOfStock', skus: short.length > 0 ? short : lines.map((l) => l.sku) };
      }
    }
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

  async release(
    orderId: string,
    actions: readonly ReleaseAction[],
    reason: CancelReason,
    event: EventOf<typeof InventoryReleasedV1> | undefined,
  ): Promise<boolean> {
    const now = new Date().toISOString();
    const items: TransactItem[] = actions.flatMap((action): TransactItem[] => {
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
    if (event) items.push(outboxPut(this.tableName, event));
    return tryTransaction(this.client, items);
  }
}
