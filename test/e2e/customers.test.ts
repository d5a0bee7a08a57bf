/** Customer cancellation and the customer's views: order list, notifications once per order and kind. */
import { createStockedProduct, finalOrder, http, placeOrder, stock, uniqueCustomer, waitFor } from './client';

interface Notification {
  orderId: string;
  type: string;
  channel: string;
  sentAt: string;
}

async function notificationsOf(customerId: string): Promise<Notification[]> {
  return (await http<{ items: Notification[] }>('GET', `/customers/${customerId}/notifications`)).body.items;
}

it('cancels a confirmed order at the customer request: payment voided, stock back, both notifications once', async () => {
  const sku = await createStockedProduct(4);
  const customer = uniqueCustomer();
  const placed = await placeOrder(customer, [{ sku, quantity: 3 }]);
  const confirmed = await finalOrder(placed.body.orderId);
  expect(confirmed.status).toBe('CONFIRMED');
  expect(await stock(sku)).toMatchObject({ available: 1, sold: 3 });

  const cancel = await http('POST', `/orders/${confirmed.orderId}/cancel`);
  expect(cancel.status).toBe(202);
  expect((await http('POST', `/orders/${confirmed.orderId}/cancel`)).status).toBe(202);
  const cancelled = await waitFor('the cancellation', async () => {
    const order = (await http<{ status: string; reason?: string }>('GET', `/orders/${confirmed.orderId}`)).body;
    return order.status === 'CANCELLED' ? order : undefined;
  });
  expect(cancelled.reason).toBe('CUSTOMER_REQUEST');
  expect(await stock(sku)).toEqual({ sku, available: 4, reserved: 0, sold: 0, restocked: 4 });
  const payments = await http<{ items: { status: string }[] }>('GET', `/orders/${confirmed.orderId}/payments`);
  expect(payments.body.items.map((p) => p.status)).toEqual(['VOIDED']);
  const again = await http<{ error: { code: string } }>('POST', `/orders/${confirmed.orderId}/cancel`);
  expect(again).toMatchObject({ status: 409, body: { error: { code: 'ORDER_ALREADY_CANCELLED' } } });

  const notes = await waitFor('two notifications', async () => {
    const items = await notificationsOf(customer);
    return items.length >= 2 ? items : undefined;
  });
  expect(notes.map((n) => n.type).sort()).toEqual(['ORDER_CANCELLED', 'ORDER_CONFIRMED']);
  expect(notes.every((n) => n.orderId === confirmed.orderId && n.channel === 'email')).toBe(true);
});

it("lists the customer's orders newest first with their final status, and one notification per order", async () => {
  const sku = await createStockedProduct(10);
  const customer = uniqueCustomer();
  const first = await placeOrder(customer, [{ sku, quantity: 1 }]);
  const second = await placeOrder(customer, [{ sku, quantity: 1 }], 'tok_chargeDeclined');
  await finalOrder(first.body.orderId);
  await finalOrder(second.body.orderId);
  const list = await waitFor('both orders final in the customer list', async () => {
    const items = (
      await http<{ items: { orderId: string; status: string; reason?: string }[] }>(
        'GET',
        `/customers/${customer}/orders`,
      )
    ).body.items;
    return items.length === 2 && items.every((i) => i.status !== 'PENDING') ? items : undefined;
  });
  expect(list.map((o) => o.orderId)).toEqual([second.body.orderId, first.body.orderId]);
  expect(list[0]).toMatchObject({ status: 'CANCELLED', reason: 'PAYMENT_DECLINED' });
  expect(list[1]).toMatchObject({ status: 'CONFIRMED' });
  const notes = await waitFor('a notification per order', async () => {
    const items = await notificationsOf(customer);
    return items.length >= 2 ? items : undefined;
  });
  expect(notes).toHaveLength(2);
  expect(notes.find((n) => n.orderId === first.body.orderId)?.type).toBe('ORDER_CONFIRMED');
  expect(notes.find((n) => n.orderId === second.body.orderId)?.type).toBe('ORDER_CANCELLED');
});

it('cancels a PENDING order through its own saga when asked before confirmation', async () => {
  const sku = await createStockedProduct(2);
  const placed = await placeOrder(uniqueCustomer(), [{ sku, quantity: 1 }], 'tok_flaky');
  const cancel = await http<{ cancelRequested?: boolean; status: string }>(
    'POST',
    `/orders/${placed.body.orderId}/cancel`,
  );
  expect(cancel.status).toBe(202);
  const order = await finalOrder(placed.body.orderId);
  // Either the request reached the order before confirmation (CUSTOMER_REQUEST through the checkout saga) or just
  // after it (the cancellation saga): the customer's wish wins both ways.
  const final = await waitFor('the order to be cancelled', async () => {
    const current = (await http<{ status: string; reason?: string }>('GET', `/orders/${order.orderId}`)).body;
    return current.status === 'CANCELLED' ? current : undefined;
  });
  expect(final.reason).toBe('CUSTOMER_REQUEST');
  expect(await stock(sku)).toMatchObject({ available: 2, reserved: 0, sold: 0 });
});
