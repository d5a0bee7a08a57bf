/**
 * Tells a customer about a final order, once per (order, kind):
 *  - the consumer runs once per event id (Powertools), so redelivered events stop there;
 *  - a notification that is already recorded is not sent again (another event with the same meaning, e.g. a
 *    replay from the archive, stops here);
 *  - the channel gets an idempotency key per (order, kind), so a crash between sending and recording cannot
 *    produce a second message when the event is retried.
 */
import { type EventOf, NotificationSentV1, type NotificationType } from '../../shared/events/catalog';
import { type EventContext, newEvent } from '../../shared/events/factory';
import { formatAmount } from '../../shared/money';
import type { Clock, IdGenerator } from '../../shared/runtime/ids';
import type { NotificationView } from '../contract';

export interface OutgoingMessage {
  readonly idempotencyKey: string;
  readonly customerId: string;
  readonly orderId: string;
  readonly type: NotificationType;
  readonly subject: string;
  readonly body: string;
}

export interface NotificationChannel {
  readonly name: string;
  /** Delivers the message; a repeated idempotency key must not deliver a second one. */
  send(message: OutgoingMessage): Promise<void>;
}

export interface Notification extends NotificationView {
  readonly customerId: string;
}

export interface NotificationRepository {
  exists(customerId: string, orderId: string, type: NotificationType): Promise<boolean>;
  /** Records the notification with its event; false when it was already recorded. */
  record(notification: Notification, event: EventOf<typeof NotificationSentV1>): Promise<boolean>;
  list(
    customerId: string,
    limit: number,
    cursor: string | undefined,
  ): Promise<{ items: NotificationView[]; nextCursor: string | null }>;
}

export interface NotificationsDeps {
  readonly notifications: NotificationRepository;
  readonly channel: NotificationChannel;
  readonly ids: IdGenerator;
  readonly clock: Clock;
}

export interface OrderOutcome {
  readonly orderId: string;
  readonly customerId: string;
  readonly type: NotificationType;
  readonly totalCents: number;
  readonly currency: string;
  readonly reason?: string;
}

export function composeMessage(outcome: OrderOutcome): Omit<OutgoingMessage, 'idempotencyKey'> {
  const amount = formatAmount(outcome.totalCents, outcome.currency);
  const confirmed = outcome.type === 'ORDER_CONFIRMED';
  return {
    customerId: outcome.customerId,
    orderId: outcome.orderId,
    type: outcome.type,
    subject: confirmed ? `Order ${outcome.orderId} confirmed` : `Order ${outcome.orderId} cancelled`,
    body: confirmed
      ? `Thank you! Your order of ${amount} is confirmed.`
      : `Your order of ${amount} was cancelled (${outcome.reason ?? 'no reason given'}). Nothing was charged.`,
  };
}

export type NotifyResult = 'sent' | 'alreadySent';

export async function notify(
  deps: NotificationsDeps,
  outcome: OrderOutcome,
  context: EventContext,
): Promise<NotifyResult> {
  if (await deps.notifications.exists(outcome.customerId, outcome.orderId, outcome.type)) return 'alreadySent';
  await deps.channel.send({ idempotencyKey: `${outcome.orderId}#${outcome.type}`, ...composeMessage(outcome) });
  const sentAt = deps.clock.nowIso();
  const notification: Notification = {
    customerId: outcome.customerId,
    orderId: outcome.orderId,
    type: outcome.type,
    channel: deps.channel.name,
    sentAt,
  };
  const event = newEvent(
    NotificationSentV1,
    {
      id: deps.ids.next(),
      time: sentAt,
      subject: `${outcome.orderId}#${outcome.type}`,
      sequence: 1,
      data: notification,
    },
    context,
  );
  return (await deps.notifications.record(notification, event)) ? 'sent' : 'alreadySent';
}
