/**
 * The named chaos scenarios: what each injects (a fault file, written for the run) and what an operator does after
 * it (a redrive). docs/chaos.md describes each one; `npm run chaos -- --scenario <name>` runs one.
 */
import type { FaultsConfigInput } from '../../local/faults-config';
import type { WorkloadOptions } from './workload';

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
  /**
   * The incident ends before the operator acts: once the run settled, the fault file is rewritten without faults
   * (the runtime reloads it), then the redrives and the reconciler run. @default the faults stay on
   */
  readonly faultsOverBeforeOperator?: boolean;
  /** How the load differs from the default one (one hot sku, more cancellations). */
  readonly workload?: WorkloadOptions;
  /** Orders when `--orders` is not given. @default 300 */
  readonly defaultOrders?: number;
  /** Part of the fast subset that `npm test` runs. */
  readonly ci: boolean;
}

/** The saga's Task states. */
export const SAGA_TASK_STATES = [
  'ReserveInventory',
  'AuthorizePayment',
  'ConfirmOrder',
  'VoidPayment',
  'ReleaseInventory',
  'CancelOrder',
] as const;

/** The functions that consume what the platform publishes: the stream's relay and the event consumers. */
export const CONSUMER_FUNCTIONS = [
  'PlatformOutboxRelay',
  'OrdersSagaStarter',
  'OrdersCustomerOrdersProjection',
  'OrdersSagaFailureRecorder',
  'NotificationsOrderNotifier',
] as const;

/**
 * Errors only DynamoDB answers with, on the product's own requests (`function: "*"`: a request signed by a
 * function; the harness's reads and writes are not), in the shapes the SDK sees on AWS: throttled single-item
 * writes (which the SDK retries itself first), transactions cancelled for a conflict or a throttle.
 */
export const DYNAMODB_FAULTS: NonNullable<FaultsConfigInput['dynamodb']> = [
  {
    operations: ['PutItem', 'UpdateItem', 'DeleteItem'],
    function: '*',
    probability: 0.05,
    error: 'ThrottlingException',
  },
  {
    operations: ['PutItem', 'UpdateItem', 'DeleteItem'],
    function: '*',
    // 5% of the writes the first rule did not take: 10% of the writes in all.
    probability: 0.0527,
    error: 'ProvisionedThroughputExceededException',
  },
  {
    operations: ['TransactWriteItems'],
    function: '*',
    probability: 0.02,
    error: 'TransactionCanceledException',
    reason: 'TransactionConflict',
  },
  {
    operations: ['TransactWriteItems'],
    function: '*',
    probability: 0.01,
    error: 'TransactionCanceledException',
    reason: 'ThrottlingError',
  },
];

/**
 * Every saga step and every consumer runs to completion (its writes committed) and then fails anyway: `probability`
 * of the invocations lose their environment (`Runtime.ExitError`), as many others lose their answer.
 */
export function afterCommitFaults(probability: number): NonNullable<FaultsConfigInput['lambda']> {
  const selectors = [
    ...SAGA_TASK_STATES.map((state) => ({ state })),
    ...CONSUMER_FUNCTIONS.map((fn) => ({ function: fn })),
  ];
  return selectors.flatMap((selector) => [
    { ...selector, afterCommit: { probability, mode: 'exit' as const } },
    // The first rule that fires decides: this one sees only the invocations the first one left.
    {
      ...selector,
      afterCommit: { probability: round(probability / (1 - probability)), mode: 'lost-response' as const },
    },
  ]);
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

/**
 * 30% of the orders cancelled by their customer 0-2 s after they were accepted (while their saga runs: a saga takes
 * longer than that here), and a third of those 0-2 s after the order became final instead (once CONFIRMED, or
 * already cancelled for another reason), so that every outcome of the race happens on any machine.
 */
export const CANCEL_RACING: WorkloadOptions = { cancelRate: 0.3, cancelWithinMs: 2000, cancelOnceFinalShare: 1 / 3 };

/**
 * The partition model's factor in `hot-sku`: one key gets 7.5 write and 22.5 read units per second. Measured here
 * (200 orders on one sku, 6 in flight, seed 42, 2 busy cores): unthrottled (`enforce: false`) the sku's key takes
 * about 670 write units (reserve, confirm and release are transactions: 2 units per item), peaking at 16 per second.
 * At ×0.01 it was throttled 12 times; at ×0.0075 about 1,500 times (21 orders SYSTEM_ERROR, 138 confirmed); at
 * ×0.005 about 2,900 times (48 SYSTEM_ERROR, 110 confirmed). ×0.0075 throttles for real and still confirms most.
 */
export const HOT_SKU_CAPACITY_SCALE = 0.0075;

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
      lambda: SAGA_TASK_STATES.map((state) => ({
        state,
        failure: 0.2,
        delay: { probability: 0.3, minMs: 0, maxMs: 150 },
      })),
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
  {
    name: 'ddb-throttling',
    injects:
      '10% of the product’s single-item writes throttled (ThrottlingException, ProvisionedThroughputExceeded), ' +
      '3% of its transactions cancelled (TransactionConflict 2%, ThrottlingError 1%)',
    faults: (seed) => ({ seed, dynamodb: DYNAMODB_FAULTS }),
    ci: false,
  },
  {
    name: 'hot-sku',
    injects:
      'every order on ONE sku (stocked for 65% of what they ask) under DynamoDB’s per-key capacity model scaled ' +
      'to 7.5 WCU/s and 22.5 RCU/s per key, transaction conflicts on',
    faults: (seed) => ({
      seed,
      partitions: { capacityScale: HOT_SKU_CAPACITY_SCALE, burstSeconds: 1, enforce: true },
      transactionConflicts: true,
    }),
    workload: { hotSku: { stockShare: 0.65 } },
    defaultOrders: 200,
    ci: false,
  },
  {
    name: 'committed-then-failed',
    injects:
      'every saga step and every consumer commits, then fails anyway: 10% lose their environment ' +
      '(Runtime.ExitError), 10% lose their answer',
    faults: (seed) => ({ seed, lambda: afterCommitFaults(0.1) }),
    faultsOverBeforeOperator: true,
    redrive: [
      {
        queue: 'DeadLetters',
        why:
          'a consumer whose three asynchronous attempts all failed after committing (about 0.8% at 20% per ' +
          'attempt) left its event in its DLQ: redriven once the faults are over, it must take no second effect',
      },
    ],
    ci: true,
  },
  {
    name: 'cancel-racing',
    injects:
      '30% of the orders cancelled by their customer 0-2 s after they were accepted (during the saga) or, for a ' +
      'third of them, after they became final (once CONFIRMED, or already cancelled)',
    faults: (seed) => ({ seed }),
    workload: CANCEL_RACING,
    ci: true,
  },
  {
    name: 'everything-at-once',
    injects:
      'all of the above together (provider, duplicates and reordering, poison, notifier outage, PutEvents, ' +
      'flaky steps, DynamoDB errors and partitions, commit-then-fail, cancel racing) and a SIGKILL + restart',
    faults: (seed) => ({
      seed,
      provider: { failureRate: 0.1 },
      streams: { duplicate: 0.5 },
      events: [{ duplicate: 0.5, delay: { probability: 0.3, minMs: 0, maxMs: 500 } }],
      putEvents: { failure: 0.1 },
      poison: { probability: 0.03, detailTypes: CONSUMED_EVENT_TYPES },
      outages: [{ function: 'NotificationsOrderNotifier', mode: 'failing', fromSeconds: 0, untilSeconds: 20 }],
      lambda: [
        ...SAGA_TASK_STATES.map((state) => ({
          state,
          failure: 0.05,
          delay: { probability: 0.2, minMs: 0, maxMs: 150 },
        })),
        ...afterCommitFaults(0.05),
      ],
      dynamodb: DYNAMODB_FAULTS,
      partitions: { capacityScale: 0.1, burstSeconds: 1, enforce: true },
      transactionConflicts: true,
    }),
    poisonOutboxRate: 0.03,
    crashAt: 0.5,
    workload: CANCEL_RACING,
    faultsOverBeforeOperator: true,
    redrive: [
      {
        queue: 'DeadLetters',
        why:
          'the faults are over: every DLQ is redriven (the notifier outage, consumers that failed three times after ' +
          'committing); poison fails again and goes back to its DLQ',
      },
    ],
    ci: false,
  },
];

export function findScenario(name: string): Scenario {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) {
    throw new Error(`unknown scenario '${name}'; the scenarios are: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  return scenario;
}
