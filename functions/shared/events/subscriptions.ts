/**
 * Who consumes which events. The CDK builds one EventBridge rule per subscription from this table (pattern:
 * sources + detail-types + data versions), and the AsyncAPI document lists consumers from it.
 */
import {
  type AnyEventDefinition,
  type Domain,
  OrderCancellationRequestedV1,
  OrderCancelledV1,
  OrderConfirmedV1,
  OrderPlacedV1,
} from './catalog';

export interface Subscription {
  /** Stable id; also the rule's construct id (renaming it replaces the rule). */
  readonly id: string;
  readonly consumer: Domain;
  readonly description: string;
  readonly events: readonly AnyEventDefinition[];
}

export const SUBSCRIPTIONS = {
  checkoutStarter: {
    id: 'CheckoutStarter',
    consumer: 'orders',
    description: 'Starts the checkout saga for a placed order, or the cancellation saga for a confirmed order.',
    events: [OrderPlacedV1, OrderCancellationRequestedV1],
  },
  customerOrders: {
    id: 'CustomerOrdersProjection',
    consumer: 'orders',
    description: "Keeps each customer's order list (a projection that applies the order's sequence conditionally).",
    events: [OrderPlacedV1, OrderConfirmedV1, OrderCancelledV1],
  },
  notifier: {
    id: 'OrderNotifier',
    consumer: 'notifications',
    description: 'Tells the customer once per order and kind that it was confirmed or cancelled.',
    events: [OrderConfirmedV1, OrderCancelledV1],
  },
} as const satisfies Record<string, Subscription>;

/** The EventBridge pattern of a subscription. */
export function subscriptionPattern(subscription: Subscription): {
  source: string[];
  'detail-type': string[];
  detail: { dataVersion: number[] };
} {
  const unique = <T>(values: T[]) => [...new Set(values)];
  return {
    source: unique(subscription.events.map((e) => e.source)),
    'detail-type': unique(subscription.events.map((e) => e.type)),
    detail: { dataVersion: unique(subscription.events.map((e) => e.version)) },
  };
}
