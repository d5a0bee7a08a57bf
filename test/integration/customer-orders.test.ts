/** The customer-orders projection against DynamoDB Local: late and duplicate events never move a row backwards. */
import { DynamoCustomerOrders } from '../../functions/orders/adapters/dynamo-customer-orders';
import { applyOrderEvent } from '../../functions/orders/domain/customer-orders';
import { type EventOf, OrderCancelledV1, OrderConfirmedV1, OrderPlacedV1 } from '../../functions/shared/events/catalog';
import { newEvent } from '../../functions/shared/events/factory';
import { createTable, deleteTable, doc } from '../helpers/table';

let tableName: string;
let repo: DynamoCustomerOrders;
const ctx = { correlationId: 'c', causationId: null };
const createdAt = '2026-11-22T10:00:00.000Z';

function placed(orderId: string): EventOf<typeof OrderPlacedV1> {
  return newEvent(
    OrderPlacedV1,
    {
      id: `${orderId}-1`,
      time: createdAt,
      subject: orderId,
      sequence: 1,
      data: {
        orderId,
        customerId: 'cust-p',
        lines: [{ sku: 'TEE-1', quantity: 1, unitPriceCents: 500 }],
        totalCents: 500,
        currency: 'EUR',
        createdAt,
      },
    },
    ctx,
  );
}
function confirmed(orderId: string): EventOf<typeof OrderConfirmedV1> {
  return newEvent(
    OrderConfirmedV1,
    {
      id: `${orderId}-2`,
      time: '2026-11-22T10:00:01.000Z',
      subject: orderId,
      sequence: 2,
      data: {
        orderId,
        customerId: 'cust-p',
        totalCents: 500,
        currency: 'EUR',
        createdAt,
        confirmedAt: '2026-11-22T10:00:01.000Z',
      },
    },
    ctx,
  );
}
function cancelled(orderId: string, sequence: number): EventOf<typeof OrderCancelledV1> {
  return newEvent(
    OrderCancelledV1,
    {
      id: `${orderId}-${sequence}`,
      time: '2026-11-22T10:00:05.000Z',
      subject: orderId,
      sequence,
      data: {
        orderId,
        customerId: 'cust-p',
        totalCents: 500,
        currency: 'EUR',
        createdAt,
        reason: 'CUSTOMER_REQUEST',
        previousStatus: 'CONFIRMED',
        cancelledAt: '2026-11-22T10:00:05.000Z',
      },
    },
    ctx,
  );
}

beforeAll(async () => {
  tableName = await createTable('projection');
  repo = new DynamoCustomerOrders(doc, tableName);
});
afterAll(async () => {
  await deleteTable(tableName);
});

it('ends CONFIRMED whatever order OrderPlaced and OrderConfirmed arrive in, duplicates included', async () => {
  const orderId = '01JPROJECTION0000000000001';
  expect(await applyOrderEvent(repo, confirmed(orderId))).toBe(true);
  expect(await applyOrderEvent(repo, placed(orderId))).toBe(false);
  expect(await applyOrderEvent(repo, confirmed(orderId))).toBe(false);
  const { items } = await repo.list('cust-p', 10, undefined);
  expect(items.find((i) => i.orderId === orderId)).toMatchObject({ status: 'CONFIRMED', totalCents: 500, createdAt });
});

it('keeps the cancellation reason and drops it never', async () => {
  const orderId = '01JPROJECTION0000000000002';
  await applyOrderEvent(repo, placed(orderId));
  await applyOrderEvent(repo, cancelled(orderId, 4));
  await applyOrderEvent(repo, confirmed(orderId));
  const { items } = await repo.list('cust-p', 10, undefined);
  expect(items.find((i) => i.orderId === orderId)).toMatchObject({ status: 'CANCELLED', reason: 'CUSTOMER_REQUEST' });
});

it('lists newest first and pages with a cursor that is null on the last page', async () => {
  for (const suffix of ['3', '4', '5']) await applyOrderEvent(repo, placed(`01JPROJECTION000000000000${suffix}`));
  const first = await repo.list('cust-p', 2, undefined);
  expect(first.items.map((i) => i.orderId)).toEqual(['01JPROJECTION0000000000005', '01JPROJECTION0000000000004']);
  expect(first.nextCursor).not.toBeNull();
  const rest = await repo.list('cust-p', 10, first.nextCursor ?? undefined);
  expect(rest.items.map((i) => i.orderId)).toEqual([
    '01JPROJECTION0000000000003',
    '01JPROJECTION0000000000002',
    '01JPROJECTION0000000000001',
  ]);
  expect(rest.nextCursor).toBeNull();
});
