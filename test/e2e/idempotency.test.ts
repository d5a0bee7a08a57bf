/** Idempotent order placement end to end: replays, key conflicts, racing requests, and no oversell under a burst. */
import { createStockedProduct, finalOrder, http, placeOrder, stock, uniqueCustomer } from './client';

it('replays the same order for the same key and body, and answers 409 for another body', async () => {
  const sku = await createStockedProduct(5);
  const customer = uniqueCustomer();
  const key = `key-${customer}`;
  const first = await placeOrder(customer, [{ sku, quantity: 1 }], 'tok_visa', { 'Idempotency-Key': key });
  const replay = await placeOrder(customer, [{ sku, quantity: 1 }], 'tok_visa', { 'Idempotency-Key': key });
  expect(first.status).toBe(202);
  expect(replay.status).toBe(202);
  expect(replay.body.orderId).toBe(first.body.orderId);
  expect(replay.headers.get('idempotent-replayed')).toBe('true');
  const conflict = await placeOrder(customer, [{ sku, quantity: 2 }], 'tok_visa', { 'Idempotency-Key': key });
  expect(conflict.status).toBe(409);
  expect(conflict.body).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
  await finalOrder(first.body.orderId);
  expect(await stock(sku)).toMatchObject({ sold: 1, available: 4 });
});

it('creates one order when ten requests with the same key race', async () => {
  const sku = await createStockedProduct(5);
  const customer = uniqueCustomer();
  const responses = await Promise.all(
    Array.from({ length: 10 }, () =>
      placeOrder(customer, [{ sku, quantity: 1 }], 'tok_visa', { 'Idempotency-Key': `race-${customer}` }),
    ),
  );
  expect(responses.map((r) => r.status)).toEqual(Array(10).fill(202));
  expect(new Set(responses.map((r) => r.body.orderId)).size).toBe(1);
  await finalOrder(responses[0]?.body.orderId ?? '');
  expect(await stock(sku)).toMatchObject({ sold: 1, available: 4, reserved: 0 });
});

it('never oversells: a burst of 20 orders for 5 units confirms exactly 5', async () => {
  const sku = await createStockedProduct(5);
  const placed = await Promise.all(
    Array.from({ length: 20 }, () => placeOrder(uniqueCustomer(), [{ sku, quantity: 1 }])),
  );
  expect(placed.every((p) => p.status === 202)).toBe(true);
  const finals = await Promise.all(placed.map((p) => finalOrder(p.body.orderId, 60_000)));
  expect(finals.filter((o) => o.status === 'CONFIRMED')).toHaveLength(5);
  expect(finals.filter((o) => o.status === 'CANCELLED').every((o) => o.reason === 'OUT_OF_STOCK')).toBe(true);
  expect(await stock(sku)).toEqual({ sku, available: 0, reserved: 0, sold: 5, restocked: 5 });
  const payments = await Promise.all(
    finals.map(async (o) => ({
      status: o.status,
      items: (await http<{ items: { status: string }[] }>('GET', `/orders/${o.orderId}/payments`)).body.items,
    })),
  );
  for (const p of payments) {
    const live = p.items.filter((i) => i.status === 'AUTHORIZED' || i.status === 'CAPTURED');
    expect(live).toHaveLength(p.status === 'CONFIRMED' ? 1 : 0);
  }
});
