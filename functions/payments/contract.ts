/** The payments' HTTP contract. */
import * as z from 'zod';
import { orderIdSchema } from '../orders/contract';

export const orderIdPath = z.object({ orderId: orderIdSchema });

export const paymentStatusSchema = z.enum(['AUTHORIZED', 'CAPTURED', 'DECLINED', 'VOIDED', 'REFUNDED']);
export type PaymentStatus = z.infer<typeof paymentStatusSchema>;

export const paymentView = z.object({
  paymentId: z.string(),
  status: paymentStatusSchema,
  amountCents: z.int().positive(),
  currency: z.string(),
  declineCode: z.string().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type PaymentView = z.infer<typeof paymentView>;
export const paymentList = z.object({ items: z.array(paymentView) });
