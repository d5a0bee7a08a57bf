/** POST /inventory/{sku}/restock {quantity}: 200 with the new levels; 404 for an unknown sku. */
import { apiHandler } from '../../shared/http/handler';
import { parseBody, parsePath } from '../../shared/http/request';
import { json } from '../../shared/http/response';
import { restockBody, skuPath } from '../contract';
import { restock } from '../domain/stock';
import { inventoryDeps } from '../wiring';

export const handler = apiHandler(async ({ event, correlationId }) => {
  const { sku } = parsePath(event, skuPath);
  const { quantity } = parseBody(event, restockBody);
  return json(200, await restock(inventoryDeps, sku, quantity, { correlationId, causationId: null }));
});
