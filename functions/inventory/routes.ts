/** The inventory domain's HTTP routes (the API and its OpenAPI document are built from every domain's routes). */
import { defineRoutes } from '../shared/http/route';
import { restockBody, skuPath, stockView } from './contract';

export const INVENTORY_ROUTES = defineRoutes('inventory', {
  Restock: {
    method: 'POST',
    path: '/inventory/{sku}/restock',
    entry: 'inventory/handlers/restock.ts',
    access: 'readWrite',
    summary: 'Add units to the available stock of a sku.',
    request: { params: skuPath, body: restockBody },
    success: { status: 200, body: stockView, description: 'The stock levels after the restock.' },
    errors: [400, 404, 409, 413, 415],
  },
  GetInventory: {
    method: 'GET',
    path: '/inventory/{sku}',
    entry: 'inventory/handlers/get-inventory.ts',
    access: 'read',
    summary: 'Stock levels of a sku: available now, reserved by orders in flight, sold, restocked in total.',
    request: { params: skuPath },
    success: { status: 200, body: stockView, description: 'The stock levels.' },
    errors: [400, 404],
  },
});
