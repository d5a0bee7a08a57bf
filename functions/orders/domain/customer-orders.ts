/**
 * The customer's order list: a projection fed by OrderPlaced / OrderConfirmed / OrderCancelled. EventBridge does not
 * keep order, so each event is applied only if its sequence is newer than the row's: a late OrderPlaced never turns
 * a CONFIRMED row back into PENDING, and a duplicate changes nothing.
 */
import type {
  CancelReason,
  EventOf,
  OrderCancelledV1,
  OrderConfirmedV1,
  OrderPlacedV1,
} from '../../shared/events/catalog';
import type { CustomerOrderView, OrderStatus } from '../contract';

export interface CustomerOrderRow extends CustomerOrderView {
  readonly customerId: string;
  readonly sequence: number;
}

export interface CustomerOrdersRepository {
  /** Writes the row only if it is absent or holds an older sequence; false when the event was stale. */
  applyIfNewer(row: CustomerOrderRow): Promise<boolean>;
  list(
    customerId: string,
    limit: number,
    cursor: string | undefined,
  ): Promise<{ items: CustomerOrderView[]; nextCursor: string | null }>;
}

type OrderEvent = EventOf<typeof OrderPlacedV1> | EventOf<typeof OrderConfirmedV1> | EventOf<typeof OrderCancelledV1>;

export function rowFromEvent(event: OrderEvent): CustomerOrderRow {
  let status: OrderStatus;
  let reason: CancelReason | undefined;
  switch (event.type) {
    case 'OrderPlaced':
      status = 'PENDING';
      break;
    case 'OrderConfirmed':
      status = 'CONFIRMED';
      break;
    default:
      status = 'CANCELLED';
      reason = (event as EventOf<typeof OrderCancelledV1>).data.reason;
  }
  return {
    customerId: event.data.customerId,
    orderId: event.data.orderId,
    status,
    ...(reason ? { reason } : {}),
    totalCents: event.data.totalCents,
    currency: event.data.currency,
    createdAt: event.data.createdAt,
    updatedAt: event.time,
    sequence: event.sequence,
  };
}

export function applyOrderEvent(repo: CustomerOrdersRepository, event: OrderEvent): Promise<boolean> {
  return repo.applyIfNewer(rowFromEvent(event));
}
