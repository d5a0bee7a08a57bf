/** GET /inventory/{sku}: 200 {sku, available, reserved, sold, restocked}; 404 for an unknown sku. */
import { apiHandler } from '../../shared/http/handler';
import { parsePath } from '../../shared/http/request';
import { json } from '../../shared/http/response';
import { skuPath } from '../contract';
import { getStock } from '../domain/stock';
import { inventoryDeps } from '../wiring';

export const handler = apiHandler(async ({ event }) => {
  const { sku } = parsePath(event, skuPath);
  return json(200, await getStock(inventoryDeps, sku));
});
