/** GET /inventory/{sku}: 200 {sku, available, reserved, sold, restocked}; 404 for an unknown sku. */
import { apiHandler } from '../../shared/http/handler';
import { getStock } from '../domain/stock';
import { INVENTORY_ROUTES } from '../routes';
import { inventoryDeps } from '../wiring';

export const handler = apiHandler(INVENTORY_ROUTES.GetInventory, async ({ params }) => ({
  body: await getStock(inventoryDeps, params.sku),
}));
