/** Saga step ReserveInventory: holds every line or none; OutOfStock ends the order with OUT_OF_STOCK. */
import { sagaStep } from '../../shared/saga/step';
import { reserve } from '../domain/stock';
import { inventoryDeps } from '../wiring';

export const handler = sagaStep('ReserveInventory', async (payload, events) => {
  await reserve(inventoryDeps, payload.orderId, payload.lines, events);
  return { reserved: payload.lines.map(({ sku, quantity }) => ({ sku, quantity })) };
});
