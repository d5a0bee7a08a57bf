/**
 * The load of a chaos scenario, planned from the seed: a few skus (two of them scarce, so some orders run out of
 * stock), orders of one to three lines, some paid with `tok_chargeDeclined` (and the provider's flaky test tokens),
 * some cancelled by their customer a moment after they were placed (while PENDING or once CONFIRMED). A scenario
 * may put every order on one sku (a hot key) and cancel more of them, sooner.
 *
 * Every order carries an Idempotency-Key: an order whose answer was lost (the runtime was killed) is sent again
 * with the same key, as a real client would, and must not become a second order.
 */
import { seededRandom } from '../../local/faults-config';
import { type ApiClient, ConnectionError, mapConcurrent } from './api';

export interface SkuPlan {
  readonly sku: string;
  readonly priceCents: number;
  readonly stock: number;
  readonly scarce: boolean;
}

export interface OrderPlan {
  readonly index: number;
  readonly idempotencyKey: string;
  readonly customerId: string;
  readonly items: { sku: string; quantity: number }[];
  readonly paymentToken: string;
  /** The customer asks to cancel this long after the order was accepted (or, `cancelOnceFinal`, was final). */
  readonly cancelAfterMs?: number;
  /**
   * The cancellation waits until the order is final (CONFIRMED, or CANCELLED for another reason) before its delay:
   * a customer who cancels a confirmed order, or one that is already cancelled (409), on any machine's speed.
   */
  readonly cancelOnceFinal?: boolean;
}

export interface WorkloadPlan {
  readonly skus: SkuPlan[];
  readonly orders: OrderPlan[];
}

/** How a scenario shapes its load (the defaults are the load every other scenario places). */
export interface WorkloadOptions {
  /**
   * Every line of every order on ONE sku (a hot partition key), stocked with this share of the units the orders
   * ask for in all (the declined and cancelled orders give theirs back, so most orders still confirm).
   */
  readonly hotSku?: { readonly stockShare: number };
  /** Share of the orders their customer cancels. @default 0.1 */
  readonly cancelRate?: number;
  /** A cancellation is sent 0 to this many ms after the order was accepted. @default 2500 */
  readonly cancelWithinMs?: number;
  /**
   * Share of the cancellations sent 0 to `cancelWithinMs` after the order became final instead (so that some meet
   * it CONFIRMED or already cancelled, however long the sagas take here). @default 0
   */
  readonly cancelOnceFinalShare?: number;
}

export function planWorkload(
  seed: number,
  orderCount: number,
  runId: string,
  options: WorkloadOptions = {},
): WorkloadPlan {
  const random = seededRandom(`workload/${seed}`);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const cancelRate = options.cancelRate ?? 0.1;
  const cancelWithinMs = options.cancelWithinMs ?? 2500;
  const plentiful = Array.from({ length: 6 }, (_, i) => ({
    sku: `CHAOS-${runId.toUpperCase()}-${i}`,
    priceCents: 500 + i * 375,
    stock: orderCount * 3,
    scarce: false,
  }));
  const scarce = Array.from({ length: 2 }, (_, i) => ({
    sku: `CHAOS-${runId.toUpperCase()}-SCARCE-${i}`,
    priceCents: 9900 + i * 100,
    stock: Math.max(3, Math.round(orderCount / 25)),
    scarce: true,
  }));
  const hot = `CHAOS-${runId.toUpperCase()}-HOT`;
  const customers = Array.from({ length: Math.max(2, Math.ceil(orderCount / 3)) }, (_, i) => `chaos-${runId}-c${i}`);
  const orders: OrderPlan[] = [];
  for (let index = 0; index < orderCount; index++) {
    const lineCount = 1 + Math.floor(random() * 3);
    const items = new Map<string, number>();
    for (let l = 0; l < lineCount; l++) {
      // The same draws with or without a hot sku, so that the rest of the load (tokens, cancellations) is the same.
      const drawn = random() < 0.15 ? pick(scarce).sku : pick(plentiful).sku;
      const sku = options.hotSku ? hot : drawn;
      items.set(sku, (items.get(sku) ?? 0) + 1 + Math.floor(random() * 2));
    }
    const tokenRoll = random();
    const paymentToken =
      tokenRoll < 0.1
        ? 'tok_chargeDeclined'
        : tokenRoll < 0.14
          ? 'tok_flaky'
          : tokenRoll < 0.18
            ? 'tok_lostResponse'
            : tokenRoll < 0.5
              ? 'tok_mastercard'
              : 'tok_visa';
    const cancel = random() < cancelRate;
    orders.push({
      index,
      idempotencyKey: `chaos-${runId}-order-${index}`,
      customerId: pick(customers),
      items: [...items].map(([sku, quantity]) => ({ sku, quantity })),
      paymentToken,
      ...(cancel ? { cancelAfterMs: Math.floor(random() * cancelWithinMs) } : {}),
      // Drawn only when asked for, so that the default load stays what it was for every seed.
      ...(cancel && options.cancelOnceFinalShare && random() < options.cancelOnceFinalShare
        ? { cancelOnceFinal: true }
        : {}),
    });
  }
  if (options.hotSku) {
    const asked = orders.reduce((sum, o) => sum + o.items.reduce((n, i) => n + i.quantity, 0), 0);
    const stock = Math.max(1, Math.round(asked * options.hotSku.stockShare));
    return { skus: [{ sku: hot, priceCents: 1250, stock, scarce: false }], orders };
  }
  return { skus: [...plentiful, ...scarce], orders };
}

export interface OrderOutcome {
  readonly plan: OrderPlan;
  /** `unknown`: no answer yet (the runtime died); sent again with the same key after the restart. */
  state: 'accepted' | 'rejected' | 'unknown';
  orderId?: string;
  status?: number;
  rejection?: unknown;
  /** Answers to POST /orders with this key (more than one only after a crash). */
  readonly orderIdsSeen: Set<string>;
  cancel?: CancelOutcome;
  /** Every attempt: when it was sent and what came back (the evidence when a check fails). */
  readonly attempts: { sentAt: string; answeredAt: string; status: number | 'connection-error'; orderId?: string }[];
}

/** The customer's cancellation of an order, as the client saw it. */
export interface CancelOutcome {
  /** `requested`: 202; `refused`: any other answer; `unknown`: no answer (the runtime died), sent again later. */
  state: 'requested' | 'refused' | 'unknown';
  status?: number;
  body?: unknown;
  /** The error code of a refusal (409 `ORDER_ALREADY_CANCELLED`: it was cancelled for another reason first). */
  code?: string;
  /** The order's status in the 202 answer: whether the cancellation met it PENDING or already CONFIRMED. */
  orderStatus?: string;
  sentAt?: string;
  answeredAt?: string;
}

export async function createCatalog(api: ApiClient, skus: readonly SkuPlan[]): Promise<void> {
  await mapConcurrent(skus, 4, async (s) => {
    const created = await api.request('POST', '/products', {
      sku: s.sku,
      name: `Chaos ${s.sku}`,
      priceCents: s.priceCents,
      currency: 'EUR',
    });
    if (created.status !== 201) throw new Error(`creating ${s.sku} answered ${created.status}`);
    const restocked = await api.request('POST', `/inventory/${s.sku}/restock`, { quantity: s.stock });
    if (restocked.status !== 200) throw new Error(`restocking ${s.sku} answered ${restocked.status}`);
  });
}

export function newOutcome(plan: OrderPlan): OrderOutcome {
  return { plan, state: 'unknown', orderIdsSeen: new Set(), attempts: [] };
}

/** Sends (or sends again) one order; a connection failure leaves it `unknown`. */
export async function sendOrder(api: ApiClient, outcome: OrderOutcome): Promise<void> {
  const { plan } = outcome;
  const sentAt = new Date().toISOString();
  try {
    const answer = await api.request<{ orderId?: string }>(
      'POST',
      '/orders',
      { customerId: plan.customerId, items: plan.items, paymentToken: plan.paymentToken },
      { 'Idempotency-Key': plan.idempotencyKey },
    );
    outcome.status = answer.status;
    outcome.attempts.push({
      sentAt,
      answeredAt: new Date().toISOString(),
      status: answer.status,
      orderId: answer.body.orderId,
    });
    if (answer.status === 202 && answer.body.orderId) {
      outcome.state = 'accepted';
      outcome.orderId = answer.body.orderId;
      outcome.orderIdsSeen.add(answer.body.orderId);
    } else {
      outcome.state = 'rejected';
      outcome.rejection = answer.body;
    }
  } catch (error) {
    if (!(error instanceof ConnectionError)) throw error;
    outcome.attempts.push({ sentAt, answeredAt: new Date().toISOString(), status: 'connection-error' });
    outcome.state = 'unknown';
  }
}

/** A refusal that says "try again" (the order changed under the cancellation): a client sends it again. */
const RETRYABLE_CANCEL_CODES = new Set(['CONCURRENT_UPDATE']);

/**
 * The customer's cancellation; 202 (recorded) and 409 `ORDER_ALREADY_CANCELLED` (cancelled for another reason
 * first) are the answers the client expects. A 409 `CONCURRENT_UPDATE` ("try again") is sent again, a few times.
 */
export async function sendCancellation(api: ApiClient, outcome: OrderOutcome): Promise<void> {
  if (!outcome.orderId) return;
  const sentAt = new Date().toISOString();
  try {
    for (let attempt = 1; ; attempt++) {
      const answer = await api.request<{ status?: string; error?: { code?: string } }>(
        'POST',
        `/orders/${outcome.orderId}/cancel`,
      );
      const code = answer.body.error?.code;
      if (answer.status === 409 && code && RETRYABLE_CANCEL_CODES.has(code) && attempt < 4) continue;
      outcome.cancel = {
        state: answer.status === 202 ? 'requested' : 'refused',
        status: answer.status,
        body: answer.body,
        ...(code ? { code } : {}),
        ...(answer.status === 202 && answer.body.status ? { orderStatus: answer.body.status } : {}),
        sentAt,
        answeredAt: new Date().toISOString(),
      };
      return;
    }
  } catch (error) {
    if (!(error instanceof ConnectionError)) throw error;
    outcome.cancel = { state: 'unknown', sentAt };
  }
}

/**
 * Places orders with `concurrency` requests in flight; each accepted order with a planned cancellation gets it
 * after its delay. `beforeEach` runs before an order is sent (a scenario uses it to crash the runtime mid-burst).
 * Resolves when every order was sent once; the cancellations still running are in `cancellations`.
 */
export async function placeOrders(
  api: ApiClient,
  outcomes: readonly OrderOutcome[],
  options: { concurrency: number; beforeEach?: (index: number) => Promise<void>; cancellations: Promise<void>[] },
): Promise<void> {
  const sagaEnds = new SagaEndWatcher(api);
  await mapConcurrent(outcomes, options.concurrency, async (outcome, index) => {
    await options.beforeEach?.(index);
    await sendOrder(api, outcome);
    const delay = outcome.plan.cancelAfterMs;
    if (outcome.state === 'accepted' && delay !== undefined) {
      const orderId = outcome.orderId as string;
      options.cancellations.push(
        (outcome.plan.cancelOnceFinal ? sagaEnds.wait(orderId) : Promise.resolve())
          .then(() => new Promise<void>((resolve) => setTimeout(resolve, delay)))
          .then(() => sendCancellation(api, outcome)),
      );
    }
  });
}

/**
 * Tells when an order's checkout saga has ended (its order is then CONFIRMED or CANCELLED, or left to the
 * reconciler), by one poll of the runtime's executions per second for every order waited on: reading each order
 * through the API instead would add a Lambda invocation per order and second to the load.
 */
export class SagaEndWatcher {
  private readonly waiting = new Map<string, { resolve: () => void; deadline: number }>();
  private polling = false;

  constructor(private readonly api: ApiClient) {}

  /** Resolves once the execution named after the order stopped running, or after `timeoutMs` whatever happened. */
  wait(orderId: string, timeoutMs = 180_000): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.set(orderId, { resolve, deadline: Date.now() + timeoutMs });
      if (!this.polling) void this.poll();
    });
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      while (this.waiting.size > 0) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const ended = new Set<string>();
        const names = [...this.waiting.keys()];
        try {
          for (let i = 0; i < names.length; i += 50) {
            const query = names
              .slice(i, i + 50)
              .map((n) => `name=${encodeURIComponent(n)}`)
              .join('&');
            const { executions } = await this.api.local<{ executions: { name: string; status: string }[] }>(
              `/_local/executions?${query}`,
            );
            for (const e of executions) if (e.status !== 'RUNNING') ended.add(e.name);
          }
        } catch {
          // The runtime is restarting (a crash scenario) or not ready yet: the next poll asks again (each wait has
          // its deadline, after which the cancellation is sent whatever the saga did).
        }
        const now = Date.now();
        for (const [orderId, waiter] of this.waiting) {
          if (ended.has(orderId) || now >= waiter.deadline) {
            this.waiting.delete(orderId);
            waiter.resolve();
          }
        }
      }
    } finally {
      this.polling = false;
    }
  }
}
