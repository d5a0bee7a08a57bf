/** POST /products: 201 with the product and its location; 409 when the sku exists. */
import { apiHandler } from '../../shared/http/handler';
import { createProduct, toProductView } from '../domain/product';
import { CATALOG_ROUTES } from '../routes';
import { catalogDeps } from '../wiring';

export const handler = apiHandler(CATALOG_ROUTES.CreateProduct, async ({ body, correlationId }) => {
  const product = await createProduct(catalogDeps, body, { correlationId, causationId: null });
  return { body: toProductView(product), headers: { location: `/products/${product.sku}` } };
});
