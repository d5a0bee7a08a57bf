/** GET /products?limit&cursor: 200 {items, nextCursor}, by sku. */
import { apiHandler } from '../../shared/http/handler';
import { listProducts, toProductView } from '../domain/product';
import { CATALOG_ROUTES } from '../routes';
import { catalogDeps } from '../wiring';

export const handler = apiHandler(CATALOG_ROUTES.ListProducts, async ({ query }) => {
  const page = await listProducts(catalogDeps, query.limit, query.cursor);
  return { body: { items: page.items.map(toProductView), nextCursor: page.nextCursor } };
});
