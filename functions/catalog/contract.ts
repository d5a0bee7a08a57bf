/** The catalog's HTTP contract: the zod schemas its handlers validate with and the OpenAPI document is built from. */
import * as z from 'zod';
import { currencySchema, isoCurrencySchema, skuSchema } from '../shared/events/catalog';

export const createProductBody = z.strictObject({
  sku: skuSchema,
  name: z.string().trim().min(1).max(200),
  priceCents: z.int().positive().max(100_000_000),
  currency: isoCurrencySchema,
  description: z.string().max(2000).optional(),
  category: z.string().trim().min(1).max(100).optional(),
});
export type CreateProductBody = z.infer<typeof createProductBody>;

export const skuPath = z.object({ sku: skuSchema });

export const listProductsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(1024).optional(),
});

export const productView = z.object({
  sku: skuSchema,
  name: z.string(),
  description: z.string().optional(),
  category: z.string().optional(),
  priceCents: z.int(),
  currency: currencySchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type ProductView = z.infer<typeof productView>;

export const productPage = z.object({ items: z.array(productView), nextCursor: z.string().nullable() });
