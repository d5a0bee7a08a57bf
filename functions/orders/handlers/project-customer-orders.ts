/** Consumer of OrderPlaced / OrderConfirmed / OrderCancelled: keeps the customer's order list, newest sequence wins. */
import { eventConsumer } from '../../shared/events/consumer';
import { SUBSCRIPTIONS } from '../../shared/events/subscriptions';
import { logger } from '../../shared/runtime/powertools';
import { applyOrderEvent } from '../domain/customer-orders';
import { customerOrders } from '../wiring';

const repository = customerOrders();

export const handler = eventConsumer('CustomerOrdersProjection', SUBSCRIPTIONS.customerOrders.events, async (event) => {
  const applied = await applyOrderEvent(repository, event);
  if (!applied) logger.info('stale event ignored', { sequence: event.sequence });
  return { applied };
});
