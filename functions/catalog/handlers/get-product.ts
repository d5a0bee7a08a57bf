/** GET /products/{sku}: 200 with the product; 404 for an unknown sku. */
import { apiHandler } from '../../shared/http/handler';
import { getProduct, toProductView } from '../domain/product';
import { CATALOG_ROUTES } from '../routes';
import { catalogDeps } from '../wiring';

export const handler = apiHandler(CATALOG_ROUTES.GetProduct, async ({ params }) => ({
  body: toProductView(await getProduct(catalogDeps, params.sku)),
}));
