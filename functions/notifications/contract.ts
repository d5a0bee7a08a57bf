/** The notifications' HTTP contract. */
import * as z from 'zod';
import { customerIdSchema, orderIdSchema } from '../orders/contract';
import { notificationTypeSchema } from '../shared/events/catalog';

export const customerIdPath = z.object({ customerId: customerIdSchema });
export const notificationsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(1024).optional(),
});

export const notificationView = z.object({
  orderId: orderIdSchema,
  type: notificationTypeSchema,
  channel: z.string(),
  sentAt: z.iso.datetime(),
});
export type NotificationView = z.infer<typeof notificationView>;
export const notificationPage = z.object({ items: z.array(notificationView), nextCursor: z.string().nullable() });
