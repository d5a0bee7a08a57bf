/**
 * What a chaos run reads back from the runtime: waiting for quiet, the reconciler on demand, an operator's redrive,
 * and the snapshot the invariants are checked on.
 *
 * Sources: the public API for orders, payments, stock, the customer's orders and notifications; the runtime's
 * /_local endpoints for executions, dead letters, the event log and metrics; and the table itself (through the
 * runtime's DynamoDB endpoint) for what no API exposes: the simulated provider's ledger (`PSP#`), the simulated
 * channel's mailbox (`MAILBOX#`) and the inventory's ledger of holds (the reservation items of each order); and the
 * saga history of the orders whose story the checks need (`GET /_local/executions/{name}`).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type ApiClient, mapConcurrent, pollUntil } from './api';
import type { RuntimeHealth } from './runtime-process';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface OrderView {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: 'PENDING' | 'CONFIRMED' | 'CANCELLED';
  readonly reason?: string;
  readonly totalCents: number;
  readonly items: { sku: string; quantity: number; unitPriceCents: number }[];
  readonly cancelRequested?: boolean;
  readonly sagaFailure?: unknown;
  readonly createdAt?: string;
  readonly updatedAt?: string;
}

export interface PaymentView {
  readonly paymentId: string;
  readonly status: string;
  readonly amountCents: number;
}

export interface StockView {
  readonly sku: string;
  readonly available: number;
  readonly reserved: number;
  readonly sold: number;
  readonly restocked: number;
}

export interface CustomerOrderRow {
  readonly orderId: string;
  readonly status: string;
  readonly reason?: string;
}

export interface NotificationRow {
  readonly orderId: string;
  readonly type: string;
}

export interface LedgerEntry {
  readonly key: string;
  readonly reference: string;
  readonly status: string;
  readonly amountCents: number;
}

export interface MailboxMessage {
  readonly key: string;
  readonly orderId: string;
  readonly type: string;
  readonly deliveries: number;
  readonly attempts: number;
}

/**
 * One item of the inventory's ledger of holds: the units of one sku held for one order (`HELD`), bought
 * (`COMMITTED`), given back before (`RELEASED`) or after (`RETURNED`) the sale; a tombstone (quantity 0) marks a
 * line that was never held. `createdAt` is when the hold was taken, `updatedAt` its last change.
 */
export interface ReservationRow {
  readonly orderId: string;
  readonly sku: string;
  readonly quantity: number;
  readonly status: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly tombstone: boolean;
}

/** One state of a saga execution (`GET /_local/executions/{name}`). */
export interface StateVisit {
  readonly name: string;
  readonly status: string;
  readonly enteredAt: string;
  readonly exitedAt?: string;
}

export interface ExecutionView {
  readonly name: string;
  readonly status: string;
  readonly startDate: string;
  readonly stopDate: string | null;
  readonly states: StateVisit[];
}

export interface DeadLetter {
  readonly queue: string;
  readonly messageId: string;
  readonly body: unknown;
  readonly attributes: Record<string, string>;
}

export interface LoggedEvent {
  readonly id: string;
  readonly detailType: string;
  readonly detail: unknown;
  readonly deliveries: { rule: string; targetArn: string; outcome: string }[];
}

export interface Snapshot {
  readonly orders: Map<string, OrderView>;
  readonly payments: Map<string, PaymentView[]>;
  readonly stock: StockView[];
  readonly customerOrders: Map<string, CustomerOrderRow[]>;
  readonly notifications: Map<string, NotificationRow[]>;
  readonly ledger: LedgerEntry[];
  readonly mailbox: MailboxMessage[];
  readonly deadLetters: DeadLetter[];
  readonly events: LoggedEvent[];
  readonly runningExecutions: string[];
  /** Every reservation item of the table. */
  readonly reservations: ReservationRow[];
  /** The saga executions of an order (`<orderId>`, `<orderId>-cancel`), for the orders whose story a check needs. */
  readonly executions: Map<string, ExecutionView[]>;
}

interface Resources {
  functions: { name: string; logicalId: string; workers: { busy: number; waiting: number } | null }[];
  tables: { name: string; logicalId: string }[];
}

interface DlqListing {
  queues: {
    queue: string;
    messages: { messageId: string; body: unknown; attributes: Record<string, string> }[];
  }[];
}

export class RuntimeObserver {
  private resources: Resources | undefined;

  constructor(
    private readonly api: ApiClient,
    private health: RuntimeHealth,
  ) {}

  /** After a restart: the same data, new endpoints. */
  rebind(health: RuntimeHealth): void {
    this.health = health;
    this.api.baseUrl = health.apiUrl;
  }

  private async resourcesOnce(): Promise<Resources> {
    this.resources ??= await this.api.local<Resources>('/_local/resources');
    return this.resources;
  }

  async tableName(): Promise<string> {
    const table = (await this.resourcesOnce()).tables[0]?.name;
    if (!table) throw new Error('the template has no table');
    return table;
  }

  async runningExecutions(): Promise<string[]> {
    const { executions } = await this.api.local<{ executions: { name: string }[] }>(
      '/_local/executions?status=RUNNING',
    );
    return executions.map((e) => e.name);
  }

  async getOrder(orderId: string): Promise<OrderView | undefined> {
    const answer = await this.api.get<OrderView>(`/orders/${orderId}`);
    return answer.status === 200 ? answer.body : undefined;
  }

  /** The orders that are not final (yet). */
  async notFinal(orderIds: readonly string[]): Promise<string[]> {
    const still = await mapConcurrent(orderIds, 6, async (id) => {
      const order = await this.getOrder(id);
      return order?.status === 'CONFIRMED' || order?.status === 'CANCELLED' ? undefined : id;
    });
    return still.filter((id): id is string => id !== undefined);
  }

  /**
   * Settled: every order final and the runtime quiet, or quiet with orders left that nothing is working on any
   * more (the reconciler's job), or the deadline. The orders are read only once the runtime is quiet, so the
   * probe adds no load while the sagas run.
   */
  async settle(
    orderIds: readonly string[],
    deadline: number,
    quietMs?: number,
  ): Promise<{ pending: string[]; quiet: boolean }> {
    let pending = [...orderIds];
    for (;;) {
      const quiet = await this.waitForQuiet(deadline, quietMs);
      pending = await this.notFinal(pending);
      if (quiet || Date.now() >= deadline) return { pending, quiet };
    }
  }

  /**
   * Quiet: no execution running, no invocation running or waiting for a worker, and no invocation finished for
   * `stableMs` (longer than any retry wait of the runtime: async retries, delivery backoff, saga retry intervals
   * at the default time scale). Only /_local endpoints are polled meanwhile, so the probe does not disturb it.
   */
  async waitForQuiet(deadline: number, stableMs = 2_500): Promise<boolean> {
    let last = -1;
    let since = Date.now();
    const quiet = await pollUntil(
      async () => {
        const metrics = await this.api.local<{ lambdaTotals: { invocations: number } }>('/_local/metrics');
        const running = await this.runningExecutions();
        const { functions } = await this.api.local<Resources>('/_local/resources');
        const active = functions.reduce((n, f) => n + (f.workers ? f.workers.busy + f.workers.waiting : 0), 0);
        const count = metrics.lambdaTotals.invocations;
        if (count !== last || running.length > 0 || active > 0) {
          last = count;
          since = Date.now();
          return undefined;
        }
        return Date.now() - since >= stableMs ? true : undefined;
      },
      deadline,
      300,
    );
    return quiet === true;
  }

  /** The reconciler, invoked on demand through the Lambda Invoke API of the runtime's service endpoint. */
  async reconcile(staleAfterSeconds: number): Promise<{ repairs: unknown[]; anomalies: string[] }> {
    const resources = await this.resourcesOnce();
    const fn = resources.functions.find((f) => f.logicalId.startsWith('ReconcilerFunction'));
    if (!fn) throw new Error('the template has no ReconcilerFunction');
    const lambda = new LambdaClient({
      endpoint: this.health.servicesEndpoint,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      const result = await lambda.send(
        new InvokeCommand({ FunctionName: fn.name, Payload: JSON.stringify({ staleAfterSeconds }) }),
      );
      const text = new TextDecoder().decode(result.Payload ?? new Uint8Array());
      if (result.FunctionError) throw new Error(`the reconciler failed: ${text}`);
      const report = JSON.parse(text) as { repairs?: unknown[]; anomalies?: string[] };
      return { repairs: report.repairs ?? [], anomalies: report.anomalies ?? [] };
    } finally {
      lambda.destroy();
    }
  }

  async deadLetters(): Promise<DeadLetter[]> {
    const { queues } = await this.api.local<DlqListing>('/_local/dlq');
    return queues.flatMap((q) => q.messages.map((m) => ({ queue: q.queue, ...m })));
  }

  /** An operator's redrive of the dead-letter queues whose name contains `fragment`. */
  async redrive(fragment: string): Promise<{ queue: string; redriven: number; failed: number; skipped: number }[]> {
    const { queues } = await this.api.local<DlqListing>('/_local/dlq');
    const reports = [];
    for (const q of queues.filter((x) => x.queue.includes(fragment))) {
      const report = await this.api.local<{ redriven: string[]; failed: unknown[]; skipped: unknown[] }>(
        `/_local/dlq/${encodeURIComponent(q.queue)}/redrive`,
        'POST',
      );
      reports.push({
        queue: q.queue,
        redriven: report.redriven.length,
        failed: report.failed.length,
        skipped: report.skipped.length,
      });
    }
    return reports;
  }

  async snapshot(
    orderIds: readonly string[],
    skus: readonly string[],
    customers: readonly string[],
  ): Promise<Snapshot> {
    const orders = new Map<string, OrderView>();
    const payments = new Map<string, PaymentView[]>();
    await mapConcurrent(orderIds, 6, async (id) => {
      const order = await this.getOrder(id);
      if (order) orders.set(id, order);
      const answer = await this.api.get<{ items: PaymentView[] }>(`/orders/${id}/payments`);
      payments.set(id, answer.status === 200 ? answer.body.items : []);
    });
    const stock = await mapConcurrent(skus, 4, async (sku) => {
      const answer = await this.api.get<StockView>(`/inventory/${sku}`);
      return { ...answer.body, sku };
    });
    const customerOrders = new Map<string, CustomerOrderRow[]>();
    const notifications = new Map<string, NotificationRow[]>();
    await mapConcurrent(customers, 4, async (customerId) => {
      customerOrders.set(customerId, await this.pages<CustomerOrderRow>(`/customers/${customerId}/orders`));
      notifications.set(customerId, await this.pages<NotificationRow>(`/customers/${customerId}/notifications`));
    });
    const { ledger, mailbox, reservations } = await this.tableItems();
    const { events } = await this.api.local<{ events: LoggedEvent[] }>('/_local/events?limit=100000');
    // The saga histories the stock checks read: the orders cancelled OUT_OF_STOCK (when their reservation failed)
    // and the orders whose holds were given back (when the units were available again).
    const storied = new Set<string>();
    for (const order of orders.values()) if (order.reason === 'OUT_OF_STOCK') storied.add(order.orderId);
    for (const r of reservations)
      if (!r.tombstone && (r.status === 'RELEASED' || r.status === 'RETURNED')) storied.add(r.orderId);
    const executions = new Map<string, ExecutionView[]>();
    await mapConcurrent([...storied], 6, async (orderId) => {
      executions.set(orderId, await this.executionsOf(orderId));
    });
    return {
      orders,
      payments,
      stock,
      customerOrders,
      notifications,
      ledger,
      mailbox,
      deadLetters: await this.deadLetters(),
      events,
      runningExecutions: await this.runningExecutions(),
      reservations,
      executions,
    };
  }

  /** Every execution of an order: its checkout (`<orderId>`) and its cancellation (`<orderId>-cancel`), all runs. */
  async executionsOf(orderId: string): Promise<ExecutionView[]> {
    const views: ExecutionView[] = [];
    for (const name of [orderId, `${orderId}-cancel`]) {
      const first = await this.api.request<ExecutionView & { others?: string[] }>(
        'GET',
        `/_local/executions/${encodeURIComponent(name)}`,
      );
      if (first.status === 404) continue;
      if (first.status !== 200) throw new Error(`GET /_local/executions/${name} answered ${first.status}`);
      views.push(first.body);
      for (const arn of first.body.others ?? [])
        views.push(await this.api.local<ExecutionView>(`/_local/executions/${encodeURIComponent(arn)}`));
    }
    return views;
  }

  private async pages<T>(path: string): Promise<T[]> {
    const rows: T[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=100&cursor=${encodeURIComponent(cursor)}` : '?limit=100';
      const answer = await this.api.get<{ items: T[]; nextCursor: string | null }>(`${path}${query}`);
      if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}`);
      rows.push(...answer.body.items);
      cursor = answer.body.nextCursor;
    } while (cursor);
    return rows;
  }

  /** The provider's ledger, the channel's mailbox and the reservations, read from the table (no API exposes them). */
  private async tableItems(): Promise<{
    ledger: LedgerEntry[];
    mailbox: MailboxMessage[];
    reservations: ReservationRow[];
  }> {
    const table = await this.tableName();
    const client = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: this.health.dynamodbEndpoint,
        region: 'us-east-1',
        credentials: LOCAL_CREDENTIALS,
      }),
    );
    const ledger: LedgerEntry[] = [];
    const mailbox: MailboxMessage[] = [];
    const reservations: ReservationRow[] = [];
    try {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: table,
            FilterExpression:
              'begins_with(pk, :psp) OR begins_with(pk, :mailbox) OR (begins_with(pk, :order) AND begins_with(sk, :reservation))',
            ExpressionAttributeValues: {
              ':psp': 'PSP#',
              ':mailbox': 'MAILBOX#',
              ':order': 'ORDER#',
              ':reservation': 'RESERVATION#',
            },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) {
          const pk = String(item.pk);
          // `PSP#<key>#calls` items are the provider's request counters, not ledger entries.
          if (pk.startsWith('PSP#') && item.status !== undefined) {
            ledger.push({
              key: pk.slice(4),
              reference: String(item.reference),
              status: String(item.status),
              amountCents: Number(item.amountCents),
            });
          } else if (pk.startsWith('MAILBOX#')) {
            mailbox.push({
              key: pk.slice(8),
              orderId: String(item.orderId),
              type: String(item.type),
              deliveries: Number(item.deliveries ?? 0),
              attempts: Number(item.attempts ?? 0),
            });
          } else if (pk.startsWith('ORDER#')) {
            reservations.push({
              orderId: String(item.orderId ?? pk.slice(6)),
              sku: String(item.sku),
              quantity: Number(item.quantity ?? 0),
              status: String(item.status),
              createdAt: String(item.createdAt),
              updatedAt: String(item.updatedAt ?? item.createdAt),
              tombstone: item.tombstone === true,
            });
          }
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    } finally {
      client.destroy();
    }
    return { ledger, mailbox, reservations };
  }
}
