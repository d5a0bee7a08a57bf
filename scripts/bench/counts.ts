/**
 * What one checkout costs, counted by the runtime: the difference of two `/_local/metrics` snapshots (taken before
 * the measured orders and after the system went quiet) divided by the number of orders.
 */
import type { MetricsSnapshot } from '../../local/runtime';
import { round } from './stats';

export interface FunctionCounts {
  readonly invocations: number;
  readonly avgDurationMs: number;
  readonly memoryMb: number;
}

export interface WriteKind {
  readonly kind: string;
  readonly label: string;
  /** Written by a simulation a real deployment replaces (the payment provider's ledger, the mail channel's mailbox). */
  readonly simulated: boolean;
  readonly items: number;
  readonly transactional: number;
}

export interface CheckoutCounts {
  readonly orders: number;
  readonly dynamodb: {
    readonly requests: number;
    readonly requestsByOperation: Record<string, number>;
    readonly readItems: number;
    /** On-demand request units consumed, as DynamoDB Local reports them (transactions, sizes and indexes included). */
    readonly readUnits: number;
    readonly writeUnits: number;
    readonly indexWriteUnits: number;
    readonly writeItems: number;
    /** Written items of the platform itself (without the simulated provider and channel). */
    readonly platformWriteItems: number;
    readonly conditionCheckItems: number;
    readonly writesByKind: WriteKind[];
  };
  readonly lambda: { readonly invocations: number; readonly byFunction: Record<string, FunctionCounts> };
  readonly stateTransitions: number;
  /** Requests to the HTTP API (the bench sends one POST /orders per checkout and reads nothing while measuring). */
  readonly apiRequests: number;
  readonly events: { readonly put: number; readonly delivered: number; readonly matched: number };
  /** The runtime's stream polling (GetRecords calls), records read, and batches handed to the relay. */
  readonly stream: { readonly polls: number; readonly recordsRead: number; readonly batches: number };
}

/** `Commerce-dev-Stateless-OrdersPlaceOrderFA03BCCB` -> `OrdersPlaceOrder`. */
export function shortFunctionName(name: string): string {
  const last = name.slice(name.lastIndexOf('-') + 1);
  return last.replace(/[0-9A-F]{8}$/, '');
}

const KIND_LABELS: Record<string, { label: string; simulated?: boolean }> = {
  'ORDER/ORDER': { label: 'order' },
  'ORDER/RESERVATION': { label: 'reservation (per line)' },
  'ORDER/PAYMENT': { label: 'payment' },
  'PRODUCT/INVENTORY': { label: 'stock counters (per line)' },
  'OUTBOX/OUTBOX': { label: 'outbox event' },
  'REQUEST/REQUEST': { label: 'Idempotency-Key of the API' },
  'CUSTOMER/ORDER': { label: "customer's order view" },
  'CUSTOMER/NOTIFICATION': { label: 'notification record' },
  'PSP/LEDGER': { label: 'payment provider ledger (simulated)', simulated: true },
  'MAILBOX/MESSAGE': { label: 'mailbox message (simulated)', simulated: true },
};

export function labelOf(kind: string): { label: string; simulated: boolean } {
  const known = KIND_LABELS[kind];
  if (known) return { label: known.label, simulated: known.simulated === true };
  if (kind.endsWith('/IDEMPOTENCY')) {
    const fn = shortFunctionName(kind.slice(0, kind.indexOf('/')).split('.')[0] ?? kind);
    return { label: `Powertools idempotency record (${fn})`, simulated: false };
  }
  return { label: kind, simulated: false };
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const diff = (after: number | undefined, before: number | undefined) => (after ?? 0) - (before ?? 0);

export function checkoutCounts(
  before: MetricsSnapshot,
  after: MetricsSnapshot,
  orders: number,
  memoryOf: (functionName: string) => number,
): CheckoutCounts {
  const per = (value: number, digits = 2) => round(value / Math.max(1, orders), digits);
  const requestsByOperation: Record<string, number> = {};
  for (const [op, n] of Object.entries(after.dynamodb.requests)) {
    const d = diff(n, before.dynamodb.requests[op]);
    if (d > 0) requestsByOperation[op] = per(d);
  }
  const writesByKind: WriteKind[] = [];
  for (const [kind, c] of Object.entries(after.dynamodb.writesByKind)) {
    const was = before.dynamodb.writesByKind[kind];
    const items = diff(c.items, was?.items);
    if (items <= 0) continue;
    writesByKind.push({
      kind,
      ...labelOf(kind),
      items: per(items),
      transactional: per(diff(c.transactional, was?.transactional)),
    });
  }
  writesByKind.sort((a, b) => b.items - a.items || a.label.localeCompare(b.label));
  const byFunction: Record<string, FunctionCounts> = {};
  let invocations = 0;
  for (const [name, c] of Object.entries(after.lambda)) {
    const was = before.lambda[name];
    const n = diff(c.invocations, was?.invocations);
    if (n <= 0) continue;
    invocations += n;
    const totalMs = c.avgDurationMs * c.invocations - (was ? was.avgDurationMs * was.invocations : 0);
    byFunction[shortFunctionName(name)] = {
      invocations: per(n),
      avgDurationMs: round(totalMs / n, 1),
      memoryMb: memoryOf(name),
    };
  }
  const writeItems = diff(after.dynamodb.writeItems, before.dynamodb.writeItems);
  const simulatedWrites = writesByKind.filter((w) => w.simulated).reduce((n, w) => n + w.items * orders, 0);
  return {
    orders,
    dynamodb: {
      requests: per(diff(after.dynamodb.totalRequests, before.dynamodb.totalRequests)),
      requestsByOperation,
      readItems: per(diff(after.dynamodb.readItems, before.dynamodb.readItems)),
      readUnits: per(diff(after.dynamodb.readUnits, before.dynamodb.readUnits)),
      writeUnits: per(diff(after.dynamodb.writeUnits, before.dynamodb.writeUnits)),
      indexWriteUnits: per(diff(after.dynamodb.indexWriteUnits, before.dynamodb.indexWriteUnits)),
      writeItems: per(writeItems),
      platformWriteItems: per(writeItems - simulatedWrites),
      conditionCheckItems: per(diff(after.dynamodb.conditionCheckItems, before.dynamodb.conditionCheckItems)),
      writesByKind,
    },
    lambda: { invocations: per(invocations), byFunction },
    stateTransitions: per(diff(after.stateTransitions, before.stateTransitions)),
    apiRequests: per(sum(after.http.byStatus) - sum(before.http.byStatus)),
    events: {
      put: per(diff(after.events.put, before.events.put)),
      delivered: per(diff(after.events.delivered, before.events.delivered)),
      matched: per(diff(after.events.matched, before.events.matched)),
    },
    stream: {
      polls: per(diff(after.streams.polls, before.streams.polls)),
      recordsRead: per(
        diff(after.streams.records, before.streams.records) +
          diff(after.streams.filteredOut, before.streams.filteredOut),
      ),
      batches: per(diff(after.streams.batches, before.streams.batches)),
    },
  };
}

/** Waits until nothing moves any more (consumers, projections and notifications done), at most `timeoutMs`. */
export async function quiet(snapshot: () => MetricsSnapshot, timeoutMs = 30_000): Promise<MetricsSnapshot> {
  const signature = (m: MetricsSnapshot) =>
    `${m.lambdaTotals.invocations}/${m.dynamodb.totalRequests}/${m.events.delivered}/${m.stateTransitions}`;
  const deadline = Date.now() + timeoutMs;
  let last = snapshot();
  let stableFor = 0;
  while (Date.now() < deadline && stableFor < 3) {
    await new Promise((r) => setTimeout(r, 200));
    const now = snapshot();
    stableFor = signature(now) === signature(last) ? stableFor + 1 : 0;
    last = now;
  }
  return last;
}
