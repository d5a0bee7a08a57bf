/** POST /inventory/{sku}/restock {quantity}: 200 with the levels after it; 404 for an unknown sku. */
import { apiHandler } from '../../shared/http/handler';
import { restock } from '../domain/stock';
import { INVENTORY_ROUTES } from '../routes';
import { inventoryDeps } from '../wiring';

export const handler = apiHandler(INVENTORY_ROUTES.Restock, async ({ params, body, correlationId }) => ({
  body: await restock(inventoryDeps, params.sku, body.quantity, { correlationId, causationId: null }),
}));
