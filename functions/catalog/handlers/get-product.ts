/** GET /products/{sku}: 200 or 404. */
import { apiHandler } from '../../shared/http/handler';
import { parsePath } from '../../shared/http/request';
import { json } from '../../shared/http/response';
import { skuPath } from '../contract';
import { getProduct, toProductView } from '../domain/product';
import { catalogDeps } from '../wiring';

export const handler = apiHandler(async ({ event }) => {
  const { sku } = parsePath(event, skuPath);
  return json(200, toProductView(await getProduct(catalogDeps, sku)));
});
