/**
 * The checkout saga end to end, through the public HTTP API of the local runtime: happy path, declined payment,
 * out of stock, unknown sku, provider outage, and the saga history of a failed order.
 */
import { createStockedProduct, finalOrder, http, placeOrder, stock, uniqueCustomer, waitFor } from './client';

interface StateView {
  name: string;
  status: string;
  retries: unknown[];
}

async function sagaStates(orderId: string): Promise<StateView[]> {
  const execution = await waitFor(`the execution of ${orderId} to end`, async () => {
    const response = await http<{ status: string; states: StateView[] }>('GET', `/_local/executions/${orderId}`);
    return response.status === 200 && response.body.status !== 'RUNNING' ? response.body : undefined;
  });
  return execution.states;
}

describe('checkout', () => {
  it('confirms an order: stock sold, one authorized payment for the total, status in the customer list', async () => {
    const sku = await createStockedProduct(5, 1999);
    const customer = uniqueCustomer();
    const placed = await placeOrder(customer, [{ sku, quantity: 2 }]);
    expect(placed.status).toBe(202);
    expect(placed.body).toMatchObject({ status: 'PENDING', totalCents: 3998 });
    const order = await finalOrder(placed.body.orderId);
    expect(order.status).toBe('CONFIRMED');
    expect(await stock(sku)).toEqual({ sku, available: 3, reserved: 0, sold: 2, restocked: 5 });
    const payments = await http<{ items: { status: string; amountCents: number }[] }>(
      'GET',
      `/orders/${order.orderId}/payments`,
    );
    expect(payments.body.items).toEqual([expect.objectContaining({ status: 'AUTHORIZED', amountCents: 3998 })]);
    const states = (await sagaStates(order.orderId)).map((s) => s.name);
    expect(states).toEqual(['Route', 'ReserveInventory', 'AuthorizePayment', 'ConfirmOrder', 'OrderConfirmed']);
  });

  it('cancels a declined order: compensation ran, stock back, nothing live', async () => {
    const sku = await createStockedProduct(3);
    const placed = await placeOrder(uniqueCustomer(), [{ sku, quantity: 2 }], 'tok_chargeDeclined');
    const order = await finalOrder(placed.body.orderId);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'PAYMENT_DECLINED' });
    expect(await stock(sku)).toMatchObject({ available: 3, reserved: 0, sold: 0 });
    const payments = await http<{ items: { status: string }[] }>('GET', `/orders/${order.orderId}/payments`);
    expect(payments.body.items.map((p) => p.status)).toEqual(['DECLINED']);
  });

  it('shows the failed forward step and the compensations in the saga history of a declined order', async () => {
    const sku = await createStockedProduct(1);
    const placed = await placeOrder(uniqueCustomer(), [{ sku, quantity: 1 }], 'tok_chargeDeclined');
    await finalOrder(placed.body.orderId);
    const states = await sagaStates(placed.body.orderId);
    expect(states.map((s) => s.name)).toEqual([
      'Route',
      'ReserveInventory',
      'AuthorizePayment',
      'Reason_PAYMENT_DECLINED',
      'ReleaseInventory',
      'CancelOrder',
      'OrderCancelled',
    ]);
    expect(states.find((s) => s.name === 'AuthorizePayment')?.status).toBe('caught');
    expect(states.find((s) => s.name === 'ReleaseInventory')?.status).toBe('succeeded');
  });

  it('cancels an order that cannot be fully stocked with OUT_OF_STOCK, releasing every line and charging nothing', async () => {
    const plenty = await createStockedProduct(10);
    const scarce = await createStockedProduct(1);
    const placed = await placeOrder(uniqueCustomer(), [
      { sku: plenty, quantity: 2 },
      { sku: scarce, quantity: 2 },
    ]);
    const order = await finalOrder(placed.body.orderId);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'OUT_OF_STOCK' });
    expect(await stock(plenty)).toMatchObject({ available: 10, reserved: 0 });
    expect(await stock(scarce)).toMatchObject({ available: 1, reserved: 0 });
    const payments = await http<{ items: unknown[] }>('GET', `/orders/${order.orderId}/payments`);
    expect(payments.body.items).toEqual([]);
  });

  it('rejects an unknown sku with 422 before anything starts', async () => {
    const response = await placeOrder(uniqueCustomer(), [{ sku: 'NO-SUCH-SKU', quantity: 1 }]);
    expect(response.status).toBe(422);
    expect(response.body).toEqual({
      error: { code: 'UNKNOWN_SKU', message: expect.any(String), details: { skus: ['NO-SUCH-SKU'] } },
    });
  });

  it('gives up on a provider that keeps timing out with PAYMENT_FAILED after retries, and voids', async () => {
    const sku = await createStockedProduct(2);
    const placed = await placeOrder(uniqueCustomer(), [{ sku, quantity: 1 }], 'tok_providerUnavailable');
    const order = await finalOrder(placed.body.orderId);
    expect(order).toMatchObject({ status: 'CANCELLED', reason: 'PAYMENT_FAILED' });
    expect(await stock(sku)).toMatchObject({ available: 2, reserved: 0 });
    const states = await sagaStates(order.orderId);
    const authorize = states.find((s) => s.name === 'AuthorizePayment');
    expect(authorize?.retries.length).toBeGreaterThanOrEqual(1);
    expect(states.map((s) => s.name)).toEqual(
      expect.arrayContaining(['Reason_PAYMENT_FAILED', 'VoidPayment', 'ReleaseInventory', 'CancelOrder']),
    );
  });

  it('retries a flaky provider and confirms without charging twice (tok_lostResponse)', async () => {
    const sku = await createStockedProduct(2);
    const placed = await placeOrder(uniqueCustomer(), [{ sku, quantity: 1 }], 'tok_lostResponse');
    const order = await finalOrder(placed.body.orderId);
    expect(order.status).toBe('CONFIRMED');
    const payments = await http<{ items: { status: string }[] }>('GET', `/orders/${order.orderId}/payments`);
    expect(payments.body.items.map((p) => p.status)).toEqual(['AUTHORIZED']);
  });
});
