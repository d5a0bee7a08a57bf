/**
 * Use case: the customer asks to cancel. The request is recorded on the order with its event; the saga does the
 * work: a PENDING order's running checkout sees the flag at confirmation and compensates, a CONFIRMED order gets the
 * cancellation saga (started by the checkout starter from OrderCancellationRequested). Nothing runs twice.
 */
import { ConflictError, NotFoundError } from '../../shared/errors';
import { OrderCancellationRequestedV1 } from '../../shared/events/catalog';
import { newEvent } from '../../shared/events/factory';
import type { Order, OrdersDeps } from './order';

const MAX_ATTEMPTS = 5;

export async function requestCancellation(deps: OrdersDeps, orderId: string, correlationId: string): Promise<Order> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const order = await deps.orders.get(orderId);
    if (!order) throw new NotFoundError('Order', orderId);
    if (order.status === 'CANCELLED') {
      throw new ConflictError(
        'ORDER_ALREADY_CANCELLED',
        `Order ${orderId} is already cancelled (${order.reason ?? 'no reason'})`,
      );
    }
    if (order.cancelRequestedAt) return order; // asked before: harmless repeat
    const now = deps.clock.nowIso();
    const next: Order = { ...order, cancelRequestedAt: now, updatedAt: now, version: order.version + 1 };
    const event = newEvent(
      OrderCancellationRequestedV1,
      {
        id: deps.ids.next(),
        time: now,
        subject: orderId,
        sequence: next.version,
        data: { orderId, customerId: order.customerId, status: order.status },
      },
      { correlationId, causationId: null },
    );
    if (await deps.orders.requestCancellation(order, next, event)) return next;
  }
  throw new ConflictError('CONCURRENT_UPDATE', `Order ${orderId} changed while cancelling; try again`);
}
