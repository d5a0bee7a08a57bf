/**
 * The load of a chaos scenario, planned from the seed: a few skus (two of them scarce, so some orders run out of
 * stock), orders of one to three lines, some paid with `tok_chargeDeclined` (and the provider's flaky test tokens),
 * some cancelled by their customer a moment after they were placed (while PENDING or once CONFIRMED).
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
  /** The customer asks to cancel this long after the order was accepted. */
  readonly cancelAfterMs?: number;
}

export interface WorkloadPlan {
  readonly skus: SkuPlan[];
  readonly orders: OrderPlan[];
}

export function planWorkload(seed: number, orderCount: number, runId: string): WorkloadPlan {
  const random = seededRandom(`workload/${seed}`);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
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
  const customers = Array.from({ length: Math.max(2, Math.ceil(orderCount / 3)) }, (_, i) => `chaos-${runId}-c${i}`);
  const orders: OrderPlan[] = [];
  for (let index = 0; index < orderCount; index++) {
    const lineCount = 1 + Math.floor(random() * 3);
    const items = new Map<string, number>();
    for (let l = 0; l < lineCount; l++) {
      const sku = random() < 0.15 ? pick(scarce).sku : pick(plentiful).sku;
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
    const cancel = random() < 0.1;
    orders.push({
      index,
      idempotencyKey: `chaos-${runId}-order-${index}`,
      customerId: pick(customers),
      items: [...items].map(([sku, quantity]) => ({ sku, quantity })),
      paymentToken,
      ...(cancel ? { cancelAfterMs: Math.floor(random() * 2500) } : {}),
    });
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
  cancel?: { state: 'requested' | 'refused' | 'unknown'; status?: number; body?: unknown };
  /** Every attempt: when it was sent and what came back (the evidence when a check fails). */
  readonly attempts: { sentAt: string; answeredAt: string; status: number | 'connection-error'; orderId?: string }[];
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

/** The customer's cancellation; 202 (recorded) and 409 (already cancelled) are both answers the client accepts. */
export async function sendCancellation(api: ApiClient, outcome: OrderOutcome): Promise<void> {
  if (!outcome.orderId) return;
  try {
    const answer = await api.request('POST', `/orders/${outcome.orderId}/cancel`);
    outcome.cancel = {
      state: answer.status === 202 ? 'requested' : 'refused',
      status: answer.status,
      body: answer.body,
    };
  } catch (error) {
    if (!(error instanceof ConnectionError)) throw error;
    outcome.cancel = { state: 'unknown' };
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
  await mapConcurrent(outcomes, options.concurrency, async (outcome, index) => {
    await options.beforeEach?.(index);
    await sendOrder(api, outcome);
    const delay = outcome.plan.cancelAfterMs;
    if (outcome.state === 'accepted' && delay !== undefined) {
      options.cancellations.push(
        new Promise<void>((resolve) => setTimeout(resolve, delay)).then(() => sendCancellation(api, outcome)),
      );
    }
  });
}
