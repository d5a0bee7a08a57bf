/** GET /products?limit=&cursor=: 200 {items, nextCursor}; nextCursor is null on the last page. */
import { apiHandler } from '../../shared/http/handler';
import { parseQuery } from '../../shared/http/request';
import { json } from '../../shared/http/response';
import { listProductsQuery } from '../contract';
import { listProducts, toProductView } from '../domain/product';
import { catalogDeps } from '../wiring';

export const handler = apiHandler(async ({ event }) => {
  const { limit, cursor } = parseQuery(event, listProductsQuery);
  const page = await listProducts(catalogDeps, limit, cursor);
  return json(200, { items: page.items.map(toProductView), nextCursor: page.nextCursor });
});
