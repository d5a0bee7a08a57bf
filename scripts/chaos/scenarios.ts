/**
 * The named chaos scenarios: what each injects (a fault file, written for the run) and what an operator does after
 * it (a redrive). docs/chaos.md describes each one; `npm run chaos -- --scenario <name>` runs one.
 */
import type { FaultsConfigInput } from '../../local/faults-config';

/** Events somebody consumes: a poison copy of one of these reaches a consumer and must end in its DLQ. */
export const CONSUMED_EVENT_TYPES = ['OrderPlaced', 'OrderConfirmed', 'OrderCancelled', 'OrderCancellationRequested'];

export interface Scenario {
  readonly name: string;
  /** One line for the table and the docs. */
  readonly injects: string;
  readonly faults: (seed: number) => FaultsConfigInput;
  /**
   * An outage for the first half of the orders: the fault file starts with it; once the first half is final,
   * the file is rewritten without it (the runtime reloads it) and the second half is placed.
   */
  readonly outageFirstHalf?: boolean;
  /** Kill the runtime (SIGKILL) when this fraction of the orders has been sent, then restart it on the same data. */
  readonly crashAt?: number;
  /** Poison outbox items written straight into the table, per order placed. */
  readonly poisonOutboxRate?: number;
  /**
   * Dead-letter queues an operator redrives after the faults are gone (by DLQ name fragment), why, and whether
   * before the reconciler's pass (the default) or after it.
   */
  readonly redrive?: readonly {
    readonly queue: string;
    readonly why: string;
    readonly when?: 'before-reconcile' | 'after-reconcile';
  }[];
  /** Part of the fast subset that `npm test` runs. */
  readonly ci: boolean;
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'provider-30pct',
    injects:
      'the simulated payment provider fails 30% of authorizations (half before acting, half with the answer lost)',
    faults: (seed) => ({ seed, provider: { failureRate: 0.3 } }),
    ci: true,
  },
  {
    name: 'duplicate-shuffled-events',
    injects:
      'every stream batch and EventBridge delivery twice, half of them held 0-1 s; 30% of the OrderPlaced events ' +
      'reach the projection only after the order’s next event',
    // The second block makes an order's own events overtake each other where order matters (the customer's list),
    // whatever the machine's speed: its OrderConfirmed or OrderCancelled reaches the projection before its
    // OrderPlaced (every copy of it: the projection deduplicates by id, the first copy to arrive counts).
    faults: (seed) => ({
      seed,
      streams: { duplicate: 1 },
      events: [
        { duplicate: 1, delay: { probability: 0.5, minMs: 0, maxMs: 1000 } },
        {
          rules: ['SubscriptionsCustomerOrdersProjection'],
          detailTypes: ['OrderPlaced'],
          reorder: { probability: 0.3 },
        },
      ],
    }),
    ci: true,
  },
  {
    name: 'poison-5pct',
    injects: '5% of consumed events get a corrupted copy (new id) on the bus; poison outbox items written to the table',
    faults: (seed) => ({ seed, poison: { probability: 0.05, detailTypes: CONSUMED_EVENT_TYPES } }),
    poisonOutboxRate: 0.05,
    ci: true,
  },
  {
    name: 'notifications-down',
    injects: 'the notifier fails every invocation during the first half of the orders, then recovers',
    faults: (seed) => ({ seed, outages: [{ function: 'NotificationsOrderNotifier', mode: 'failing' }] }),
    outageFirstHalf: true,
    redrive: [
      {
        queue: 'OrderNotifier',
        why: 'the notifier outage is over: its on-failure DLQ holds the notifications it could not send',
      },
    ],
    ci: true,
  },
  {
    name: 'starter-down',
    injects: 'the saga starter fails every invocation during the first half of the orders: their sagas never start',
    faults: (seed) => ({ seed, outages: [{ function: 'OrdersSagaStarter', mode: 'failing' }] }),
    outageFirstHalf: true,
    redrive: [
      {
        queue: 'CheckoutStarter',
        when: 'after-reconcile',
        why: 'the reconciler already started the missing sagas; the redrive empties the DLQ (each start is a no-op)',
      },
    ],
    ci: false,
  },
  {
    name: 'compensation-down',
    injects: 'ReleaseInventory fails every invocation during the first half: compensating sagas fail at that state',
    faults: (seed) => ({ seed, outages: [{ function: 'InventoryReleaseInventory', mode: 'failing' }] }),
    outageFirstHalf: true,
    ci: false,
  },
  {
    name: 'putevents-partial',
    injects: '25% of PutEvents entries fail (InternalFailure) inside calls that answer 200',
    faults: (seed) => ({ seed, putEvents: { failure: 0.25 } }),
    ci: true,
  },
  {
    name: 'saga-steps-flaky',
    injects: 'every saga Task fails 20% (Lambda.ServiceException) and waits 0-150 ms 30% of the time',
    faults: (seed) => ({
      seed,
      lambda: [
        'ReserveInventory',
        'AuthorizePayment',
        'ConfirmOrder',
        'VoidPayment',
        'ReleaseInventory',
        'CancelOrder',
      ].map((state) => ({ state, failure: 0.2, delay: { probability: 0.3, minMs: 0, maxMs: 150 } })),
    }),
    ci: false,
  },
  {
    name: 'crash-restart',
    injects:
      'SIGKILL of the runtime half-way through the burst (DynamoDB Local stopped cleanly), restart on the same data',
    faults: (seed) => ({ seed }),
    crashAt: 0.5,
    ci: true,
  },
];

export function findScenario(name: string): Scenario {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) {
    throw new Error(`unknown scenario '${name}'; the scenarios are: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  return scenario;
}
