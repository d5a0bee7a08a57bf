/** POST /products: 201 with the product; 409 PRODUCT_EXISTS when the sku is taken. */
import { apiHandler } from '../../shared/http/handler';
import { parseBody } from '../../shared/http/request';
import { json } from '../../shared/http/response';
import { createProductBody } from '../contract';
import { createProduct, toProductView } from '../domain/product';
import { catalogDeps } from '../wiring';

export const handler = apiHandler(async ({ event, correlationId }) => {
  const input = parseBody(event, createProductBody);
  const product = await createProduct(catalogDeps, input, { correlationId, causationId: null });
  return json(201, toProductView(product), { location: `/products/${product.sku}` });
});
