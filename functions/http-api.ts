/**
 * The HTTP API: every domain's routes. The CDK builds the routes from this
 * list (each domain's construct gets its own routes), the OpenAPI document and the README's routes table are
 * generated from it.
 */
import { CATALOG_ROUTES } from './catalog/routes';
import { INVENTORY_ROUTES } from './inventory/routes';
import { NOTIFICATIONS_ROUTES } from './notifications/routes';
import { ORDERS_ROUTES } from './orders/routes';
import { PAYMENTS_ROUTES } from './payments/routes';
import type { RouteDefinition } from './shared/http/route';

export type { RouteDefinition } from './shared/http/route';

export const ROUTES_BY_DOMAIN = {
  catalog: Object.values(CATALOG_ROUTES),
  inventory: Object.values(INVENTORY_ROUTES),
  orders: Object.values(ORDERS_ROUTES),
  payments: Object.values(PAYMENTS_ROUTES),
  notifications: Object.values(NOTIFICATIONS_ROUTES),
} as const satisfies Record<string, readonly RouteDefinition[]>;

/** Every route, domain by domain. */
export const ROUTES: readonly RouteDefinition[] = Object.values(ROUTES_BY_DOMAIN).flat();
