/** The inventory's HTTP contract. */
import * as z from 'zod';
import { skuSchema } from '../shared/events/catalog';

export const skuPath = z.object({ sku: skuSchema });

export const restockBody = z.strictObject({ quantity: z.int().positive().max(1_000_000) });

/** `available` can be sold now; `reserved` is held by orders in flight; sold units leave both. */
export const stockView = z.object({
  sku: skuSchema,
  available: z.int().nonnegative(),
  reserved: z.int().nonnegative(),
  sold: z.int().nonnegative(),
  restocked: z.int().nonnegative(),
});
export type StockView = z.infer<typeof stockView>;
