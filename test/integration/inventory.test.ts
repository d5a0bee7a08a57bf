/**
 * Inventory write paths against DynamoDB Local: restock, all-or-nothing reservation, the oversell race, release
 * (idempotent, with tombstones) and the conservation invariant available + reserved + sold == restocked.
 */
import { PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoProductRepository } from '../../functions/catalog/adapters/dynamo-product-repository';
import { createProduct } from '../../functions/catalog/domain/product';
import {
  commitReservationItems,
  DynamoInventoryRepository,
} from '../../functions/inventory/adapters/dynamo-inventory-repository';
import { getStock, type InventoryDeps, release, reserve, restock } from '../../functions/inventory/domain/stock';
import { TransactionFailedError } from '../../functions/shared/ddb/transactions';
import {
  CancellationRequestedError,
  InvariantViolationError,
  NotFoundError,
  OrderAlreadyConfirmedError,
  OutOfStockError,
  TransientError,
} from '../../functions/shared/errors';
import { keys } from '../../functions/shared/table/layout';
import { everyItem, faultyClient, firstItem } from '../helpers/faulty-client';
import { clockAt, context, ids } from '../helpers/fixed';
import { createTable, deleteTable, doc, outboxEvents, scanAll } from '../helpers/table';

let tableName: string;
let deps: InventoryDeps;

async function product(sku: string, stock = 0) {
  await createProduct(
    { products: new DynamoProductRepository(doc, tableName), ids: ids(), clock: clockAt() },
    { sku, name: sku, priceCents: 1000, currency: 'EUR' },
    context,
  );
  if (stock > 0) await restock(deps, sku, stock, context);
}

/** The order a reservation is for, as the orders domain writes it (reserve checks it is PENDING and not cancelled). */
async function order(orderId: string, status = 'PENDING') {
  await doc.send(
    new PutCommand({ TableName: tableName, Item: { ...keys.order(orderId), entity: 'Order', orderId, status } }),
  );
  return orderId;
}

function conserved(levels: { available: number; reserved: number; sold: number; restocked: number }) {
  return levels.available + levels.reserved + levels.sold === levels.restocked;
}

beforeAll(async () => {
  tableName = await createTable('inventory');
  deps = { inventory: new DynamoInventoryRepository(doc, tableName), ids: ids(), clock: clockAt() };
});
afterAll(async () => {
  await deleteTable(tableName);
});

describe('restock', () => {
  it('adds units and emits StockAdjusted with the inventory version as sequence', async () => {
    await product('SKU-RESTOCK');
    expect(await restock(deps, 'SKU-RESTOCK', 5, context)).toEqual({
      sku: 'SKU-RESTOCK',
      available: 5,
      reserved: 0,
      sold: 0,
      restocked: 5,
    });
    expect(await restock(deps, 'SKU-RESTOCK', 3, context)).toMatchObject({ available: 8, restocked: 8 });
    const events = (await outboxEvents(tableName)).filter(
      (e) => e.type === 'StockAdjusted' && e.subject === 'SKU-RESTOCK',
    );
    expect(events.map((e) => e.sequence)).toEqual([1, 2]);
    expect(events[1]?.data).toMatchObject({ delta: 3, levels: { available: 8, restocked: 8 } });
  });

  it('is a 404 for an unknown sku and writes nothing', async () => {
    const before = (await scanAll(tableName)).length;
    await expect(restock(deps, 'SKU-NOPE', 5, context)).rejects.toBeInstanceOf(NotFoundError);
    expect((await scanAll(tableName)).length).toBe(before);
  });

  it('keeps every concurrent restock (an increment, nothing is lost)', async () => {
    await product('SKU-PARALLEL-RESTOCK');
    await Promise.all(Array.from({ length: 4 }, () => restock(deps, 'SKU-PARALLEL-RESTOCK', 2, context)));
    expect(await getStock(deps, 'SKU-PARALLEL-RESTOCK')).toMatchObject({ available: 8, restocked: 8 });
  });

  it('is never refused while checkouts move the same stock (a sale is when it matters most)', async () => {
    await product('SKU-SALE', 40);
    const buyers = Array.from({ length: 30 }, (_, i) => `ORDER-SALE-${i}`);
    await Promise.all(buyers.map((id) => order(id)));
    const results = await Promise.allSettled([
      ...buyers.map((id) => reserve(deps, id, [{ sku: 'SKU-SALE', quantity: 1 }], context)),
      ...Array.from({ length: 10 }, () => restock(deps, 'SKU-SALE', 3, context)),
    ]);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toEqual([]);
    const levels = await getStock(deps, 'SKU-SALE');
    expect(levels).toMatchObject({ available: 40, reserved: 30, restocked: 70 });
    expect(conserved(levels)).toBe(true);
  });
});

describe('reserve', () => {
  it('holds every line or none', async () => {
    await product('SKU-A', 2);
    await product('SKU-B', 1);
    await order('ORDER-NONE');
    await order('ORDER-BOTH');
    await expect(
      reserve(
        deps,
        'ORDER-NONE',
        [
          { sku: 'SKU-A', quantity: 1 },
          { sku: 'SKU-B', quantity: 2 },
        ],
        context,
      ),
    ).rejects.toEqual(new OutOfStockError(['SKU-B']));
    expect(await getStock(deps, 'SKU-A')).toMatchObject({ available: 2, reserved: 0 });
    expect(await deps.inventory.reservationsOf('ORDER-NONE')).toEqual([]);

    await reserve(
      deps,
      'ORDER-BOTH',
      [
        { sku: 'SKU-A', quantity: 2 },
        { sku: 'SKU-B', quantity: 1 },
      ],
      context,
    );
    expect(await getStock(deps, 'SKU-A')).toMatchObject({ available: 0, reserved: 2 });
    expect(await getStock(deps, 'SKU-B')).toMatchObject({ available: 0, reserved: 1 });
    const reserved = (await outboxEvents(tableName)).filter(
      (e) => e.type === 'InventoryReserved' && ['ORDER-NONE', 'ORDER-BOTH'].includes(e.subject),
    );
    expect(reserved).toHaveLength(1);
    expect(reserved[0]).toMatchObject({ subject: 'ORDER-BOTH', sequence: 1 });
  });

  it('is safe to repeat: a second attempt changes nothing', async () => {
    await product('SKU-REPEAT', 3);
    await order('ORDER-REPEAT');
    await reserve(deps, 'ORDER-REPEAT', [{ sku: 'SKU-REPEAT', quantity: 2 }], context);
    await reserve(deps, 'ORDER-REPEAT', [{ sku: 'SKU-REPEAT', quantity: 2 }], context);
    expect(await getStock(deps, 'SKU-REPEAT')).toMatchObject({ available: 1, reserved: 2 });
  });

  it('treats a sku that was never stocked as out of stock', async () => {
    await product('SKU-EMPTY');
    await order('ORDER-EMPTY');
    await expect(reserve(deps, 'ORDER-EMPTY', [{ sku: 'SKU-EMPTY', quantity: 1 }], context)).rejects.toBeInstanceOf(
      OutOfStockError,
    );
  });

  it('never oversells: 25 parallel checkouts of the last 3 units hold exactly 3', async () => {
    await product('SKU-SCARCE', 3);
    await Promise.all(Array.from({ length: 25 }, (_, i) => order(`ORDER-RACE-${i}`)));
    const attempts = await Promise.allSettled(
      Array.from({ length: 25 }, (_, i) =>
        reserve(deps, `ORDER-RACE-${i}`, [{ sku: 'SKU-SCARCE', quantity: 1 }], context),
      ),
    );
    const won = attempts.filter((a) => a.status === 'fulfilled').length;
    const lost = attempts.filter((a) => a.status === 'rejected');
    expect(won).toBe(3);
    expect(lost.every((a) => a.status === 'rejected' && a.reason instanceof OutOfStockError)).toBe(true);
    const levels = await getStock(deps, 'SKU-SCARCE');
    expect(levels).toMatchObject({ available: 0, reserved: 3, restocked: 3 });
    expect(conserved(levels)).toBe(true);
  });
});

describe('release', () => {
  it('puts held units back once, however often it runs', async () => {
    await product('SKU-REL', 4);
    await order('ORDER-REL');
    const lines = [{ sku: 'SKU-REL', quantity: 3 }];
    await reserve(deps, 'ORDER-REL', lines, context);
    expect(await release(deps, 'ORDER-REL', lines, 'PAYMENT_DECLINED', context)).toEqual({ released: lines });
    expect(await release(deps, 'ORDER-REL', lines, 'PAYMENT_DECLINED', context)).toEqual({ released: [] });
    const levels = await getStock(deps, 'SKU-REL');
    expect(levels).toMatchObject({ available: 4, reserved: 0 });
    expect(conserved(levels)).toBe(true);
    const released = (await outboxEvents(tableName)).filter(
      (e) => e.type === 'InventoryReleased' && e.subject === 'ORDER-REL',
    );
    expect(released).toHaveLength(1);
    expect(released[0]?.data).toMatchObject({
      reason: 'PAYMENT_DECLINED',
      lines: [{ sku: 'SKU-REL', quantity: 3, from: 'HELD' }],
    });
  });

  it('leaves a tombstone for a line that was never reserved, so a late reservation cannot land', async () => {
    await product('SKU-LATE', 2);
    await order('ORDER-LATE');
    const lines = [{ sku: 'SKU-LATE', quantity: 1 }];
    expect(await release(deps, 'ORDER-LATE', lines, 'SYSTEM_ERROR', context)).toEqual({ released: [] });
    await expect(reserve(deps, 'ORDER-LATE', lines, context)).rejects.toBeInstanceOf(InvariantViolationError);
    expect(await getStock(deps, 'SKU-LATE')).toMatchObject({ available: 2, reserved: 0 });
  });

  it('returns bought (committed) units to available stock', async () => {
    await product('SKU-RETURN', 2);
    await order('ORDER-RETURN');
    const lines = [{ sku: 'SKU-RETURN', quantity: 2 }];
    await reserve(deps, 'ORDER-RETURN', lines, context);
    await doc.send(
      new TransactWriteCommand({
        TransactItems: commitReservationItems(tableName, 'ORDER-RETURN', lines, new Date().toISOString()),
      }),
    );
    expect(await getStock(deps, 'SKU-RETURN')).toMatchObject({ available: 0, reserved: 0, sold: 2 });
    await release(deps, 'ORDER-RETURN', lines, 'CUSTOMER_REQUEST', context);
    const levels = await getStock(deps, 'SKU-RETURN');
    expect(levels).toMatchObject({ available: 2, reserved: 0, sold: 0, restocked: 2 });
    const [reservation] = await deps.inventory.reservationsOf('ORDER-RETURN');
    expect(reservation?.status).toBe('RETURNED');
  });
});

describe('the customer asked to cancel, or the order is confirmed', () => {
  it('holds nothing for an order whose customer already asked to cancel', async () => {
    await product('SKU-CANCELLED', 5);
    const orderId = await order('ORDER-CANCEL-FIRST');
    await doc.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.order(orderId),
        UpdateExpression: 'SET cancelRequestedAt = :now',
        ExpressionAttributeValues: { ':now': new Date().toISOString() },
      }),
    );
    await expect(reserve(deps, orderId, [{ sku: 'SKU-CANCELLED', quantity: 2 }], context)).rejects.toBeInstanceOf(
      CancellationRequestedError,
    );
    expect(await getStock(deps, 'SKU-CANCELLED')).toMatchObject({ available: 5, reserved: 0 });
    expect(await deps.inventory.reservationsOf(orderId)).toEqual([]);
  });

  it('never returns the units of a CONFIRMED order unless the customer asked', async () => {
    await product('SKU-KEPT', 3);
    const orderId = await order('ORDER-CONFIRMED-KEEP');
    const lines = [{ sku: 'SKU-KEPT', quantity: 2 }];
    await reserve(deps, orderId, lines, context);
    // The confirmation commits the holds and the order in one transaction (as ConfirmOrder does).
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          ...commitReservationItems(tableName, orderId, lines, new Date().toISOString()),
          {
            Update: {
              TableName: tableName,
              Key: keys.order(orderId),
              UpdateExpression: 'SET #s = :c',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':c': 'CONFIRMED' },
            },
          },
        ],
      }),
    );
    await expect(release(deps, orderId, lines, 'SYSTEM_ERROR', context)).rejects.toBeInstanceOf(
      OrderAlreadyConfirmedError,
    );
    expect(await getStock(deps, 'SKU-KEPT')).toMatchObject({ available: 1, sold: 2 });
    expect(await release(deps, orderId, lines, 'CUSTOMER_REQUEST', context)).toEqual({ released: lines });
    expect(await getStock(deps, 'SKU-KEPT')).toMatchObject({ available: 3, sold: 0 });
  });
});

describe('faults only AWS has: only a failed condition is a business outcome', () => {
  const faulty = faultyClient();
  const flaky = (): InventoryDeps => ({
    inventory: new DynamoInventoryRepository(faulty.doc, tableName),
    ids: ids(),
    clock: clockAt(),
  });

  it.each([['ThrottlingError'], ['TransactionConflict'], ['ProvisionedThroughputExceeded']])(
    'retries a reservation cancelled with %s and holds the stock once it passes',
    async (code) => {
      const sku = `SKU-${code.toUpperCase().slice(0, 20)}`;
      await product(sku, 2);
      const orderId = await order(`ORDER-${code}`);
      faulty.inject(
        'TransactWriteItems',
        { kind: 'cancel', reasons: firstItem(code) },
        { kind: 'cancel', reasons: everyItem(code) },
      );
      const before = faulty.injected('TransactWriteItems');
      await reserve(flaky(), orderId, [{ sku, quantity: 2 }], context);
      expect(faulty.injected('TransactWriteItems') - before).toBe(2);
      expect(await getStock(deps, sku)).toMatchObject({ available: 0, reserved: 2 });
    },
  );

  it('never reads a throttle that does not pass as out of stock: it is a TransientError (the saga retries)', async () => {
    await product('SKU-HOT', 5);
    const orderId = await order('ORDER-HOT');
    faulty.inject(
      'TransactWriteItems',
      ...Array.from({ length: 6 }, () => ({ kind: 'cancel' as const, reasons: firstItem('ThrottlingError') })),
    );
    await expect(reserve(flaky(), orderId, [{ sku: 'SKU-HOT', quantity: 1 }], context)).rejects.toBeInstanceOf(
      TransientError,
    );
    expect(await getStock(deps, 'SKU-HOT')).toMatchObject({ available: 5, reserved: 0 });
  });

  it('treats a whole-request throttle the same way', async () => {
    await product('SKU-THROTTLED', 1);
    const orderId = await order('ORDER-THROTTLED');
    faulty.inject('TransactWriteItems', { kind: 'throttling' }, { kind: 'throughput' });
    await reserve(flaky(), orderId, [{ sku: 'SKU-THROTTLED', quantity: 1 }], context);
    expect(await getStock(deps, 'SKU-THROTTLED')).toMatchObject({ available: 0, reserved: 1 });
  });

  it('surfaces a ValidationError reason as an error, never as an outcome', async () => {
    await product('SKU-INVALID', 1);
    const orderId = await order('ORDER-INVALID');
    faulty.inject('TransactWriteItems', { kind: 'cancel', reasons: firstItem('ValidationError') });
    await expect(reserve(flaky(), orderId, [{ sku: 'SKU-INVALID', quantity: 1 }], context)).rejects.toBeInstanceOf(
      TransactionFailedError,
    );
  });

  it('decodes a failed condition by the item it belongs to, whatever its position', async () => {
    await product('SKU-POS-A', 5);
    await product('SKU-POS-B', 0);
    const orderId = await order('ORDER-POS');
    const lines = [
      { sku: 'SKU-POS-A', quantity: 1 },
      { sku: 'SKU-POS-B', quantity: 1 },
    ];
    await expect(reserve(deps, orderId, lines, context)).rejects.toEqual(new OutOfStockError(['SKU-POS-B']));
  });
});
