/** The catalog domain's HTTP routes (the API and its OpenAPI document are built from every domain's routes). */
import { defineRoutes } from '../shared/http/route';
import { createProductBody, listProductsQuery, productPage, productView, skuPath } from './contract';

export const CATALOG_ROUTES = defineRoutes('catalog', {
  CreateProduct: {
    method: 'POST',
    path: '/products',
    entry: 'catalog/handlers/create-product.ts',
    access: 'readWrite',
    summary: 'Add a product to the catalog (stock starts at zero).',
    request: { body: createProductBody },
    success: { status: 201, body: productView, description: 'The product.' },
    errors: [400, 409, 413, 415],
  },
  ListProducts: {
    method: 'GET',
    path: '/products',
    entry: 'catalog/handlers/list-products.ts',
    access: 'read',
    summary: 'List products by sku, a page at a time.',
    request: { query: listProductsQuery },
    success: {
      status: 200,
      body: productPage,
      description: 'A page of products; nextCursor is null on the last page.',
    },
    errors: [400],
  },
  GetProduct: {
    method: 'GET',
    path: '/products/{sku}',
    entry: 'catalog/handlers/get-product.ts',
    access: 'read',
    summary: 'Get one product.',
    request: { params: skuPath },
    success: { status: 200, body: productView, description: 'The product.' },
    errors: [400, 404],
  },
});
