/**
 * The checkout saga's data contract: the execution input the starter builds from OrderPlaced, and the payload every
 * step receives. Steps validate it with zod like any other input.
 */
import * as z from 'zod';
import { cancelReasonSchema, currencySchema, skuSchema } from '../events/catalog';

export const sagaLineSchema = z.object({
  sku: skuSchema,
  quantity: z.int().positive(),
  unitPriceCents: z.int().positive(),
});
export type SagaLine = z.infer<typeof sagaLineSchema>;

export const sagaActionSchema = z.enum(['checkout', 'cancel']);

export const sagaInputSchema = z.object({
  action: sagaActionSchema,
  orderId: z.string().min(1),
  customerId: z.string().min(1),
  lines: z.array(sagaLineSchema).min(1),
  totalCents: z.int().positive(),
  currency: currencySchema,
  correlationId: z.string().min(1),
});
export type SagaInput = z.infer<typeof sagaInputSchema>;

/** What each Lambda step receives: the execution input plus, on compensation paths, the cancellation reason. */
export const sagaStepPayloadSchema = sagaInputSchema.extend({
  reason: cancelReasonSchema.optional(),
  executionName: z.string().optional(),
});
export type SagaStepPayload = z.infer<typeof sagaStepPayloadSchema>;

/** Execution names: the checkout saga is named after the order, the cancellation saga after the order plus a suffix. */
export const executionNames = {
  checkout: (orderId: string): string => orderId,
  cancel: (orderId: string): string => `${orderId}-cancel`,
  orderIdOf: (executionName: string): string => executionName.replace(/-cancel$/, ''),
};
