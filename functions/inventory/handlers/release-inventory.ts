/** Saga compensation ReleaseInventory: held or bought units go back to available stock. Idempotent. */
import { sagaStep } from '../../shared/saga/step';
import { release } from '../domain/stock';
import { inventoryDeps } from '../wiring';

export const handler = sagaStep('ReleaseInventory', async (payload, events) => {
  return release(inventoryDeps, payload.orderId, payload.lines, payload.reason ?? 'SYSTEM_ERROR', events);
});
