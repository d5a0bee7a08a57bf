/**
 * Dead letters worked end to end with the CLI's own modules (scripts/ops): something really fails, lands in its
 * dead-letter queue, is listed and inspected, redriven, and the effect shows through the public API.
 *
 * Failures are injected, so this file starts its own runtime with a fault injector instead of using the shared one:
 * a notifier or relay that is down would break the other e2e files running against the shared runtime at the same
 * time. Everything else goes through the public HTTP API, except the poison record, which the API cannot produce
 * (every event it writes is valid): that one is written to the table directly.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { FaultInjector } from '../../local/faults';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import { inspectDeadLetters, listDeadLetters, redriveDeadLetters } from '../../scripts/ops/dead-letters';
import { localTarget, type OpsTarget } from '../../scripts/ops/target';
import { waitFor } from './client';

jest.setTimeout(180_000);

const down = { notifier: false, relay: false };
let runtime: LocalRuntime;
let target: OpsTarget;
let notifierFunction = '';
let relayFunction = '';

const faults: FaultInjector = {
  beforeLambdaInvoke: ({ functionName, trigger }) => {
    if (down.notifier && functionName === notifierFunction) {
      return { error: { errorType: 'ChannelDown', errorMessage: 'the e-mail channel is down' } };
    }
    if (down.relay && functionName === relayFunction && trigger === 'stream') {
      return { error: { errorType: 'RelayDown', errorMessage: 'the relay cannot reach EventBridge' } };
    }
    return undefined;
  },
};

async function call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${runtime.apiUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await response.json()) as T;
}

const suffix = () => randomBytes(4).toString('hex').toUpperCase();

async function stockedSku(): Promise<string> {
  const sku = `DLQ-${suffix()}`;
  await call('POST', '/products', { sku, name: sku, priceCents: 700, currency: 'EUR' });
  await call('POST', `/inventory/${sku}/restock`, { quantity: 10 });
  return sku;
}

async function placeOrder(customerId: string, sku: string): Promise<string> {
  const order = await call<{ orderId: string }>('POST', '/orders', {
    customerId,
    items: [{ sku, quantity: 1 }],
    paymentToken: 'tok_visa',
  });
  return order.orderId;
}

const orderStatus = async (orderId: string) => (await call<{ status: string }>('GET', `/orders/${orderId}`)).status;

const functionNamed = (logicalIdPrefix: string) => {
  const name = Object.entries(runtime.functions).find(([logicalId]) => logicalId.startsWith(logicalIdPrefix))?.[1];
  if (!name) throw new Error(`no function ${logicalIdPrefix}* in the template`);
  return name;
};

beforeAll(async () => {
  // The suite's global setup synthesized cdk.out just now; a second synth here could race it.
  runtime = await startLocalRuntime({ port: 0, synth: 'never', logs: 'silent', faults });
  notifierFunction = functionNamed('NotificationsOrderNotifier');
  relayFunction = functionNamed('PlatformOutboxRelay');
  target = await localTarget(runtime.apiUrl);
}, 180_000);

afterAll(async () => {
  target?.close();
  await runtime?.stop();
});

it('a consumer that kept failing: listed with its error and attempts, redriven, and the customer is notified', async () => {
  const sku = await stockedSku();
  const customer = `dlq-${suffix().toLowerCase()}`;
  down.notifier = true;
  const orderId = await placeOrder(customer, sku);

  const listed = await waitFor(
    'the notifier dead letter',
    async () => {
      const queue = (await listDeadLetters(target)).find((q) => q.hop === 'OrderNotifier');
      return queue?.messages.find((m) => m.subject === `OrderConfirmed ${orderId}`);
    },
    60_000,
  );
  expect(listed).toMatchObject({
    kind: 'lambda-destination',
    origin: notifierFunction,
    error: 'RetriesExhausted: ChannelDown: the e-mail channel is down',
    attempts: 3, // the first try and Lambda's two asynchronous retries
  });
  expect(await orderStatus(orderId)).toBe('CONFIRMED'); // a failing notifier never blocks an order

  const inspected = await inspectDeadLetters(target, 'OrderNotifier', { ids: [listed.messageId] });
  expect(inspected.messages[0]?.record).toMatchObject({
    kind: 'lambda-destination',
    requestPayload: { 'detail-type': 'OrderConfirmed', detail: { subject: orderId } },
  });

  down.notifier = false;
  const report = await redriveDeadLetters(target, 'OrderNotifier', { ids: [listed.messageId] });
  expect(report.results).toEqual([expect.objectContaining({ messageId: listed.messageId, outcome: 'redriven' })]);

  const notified = await waitFor(
    'the notification after the redrive',
    async () => {
      const page = await call<{ items: { orderId: string; type: string }[] }>(
        'GET',
        `/customers/${customer}/notifications`,
      );
      return page.items.find((n) => n.orderId === orderId);
    },
    60_000,
  );
  expect(notified.type).toBe('ORDER_CONFIRMED');
  const after = (await listDeadLetters(target)).find((q) => q.hop === 'OrderNotifier');
  expect(after?.messages.map((m) => m.messageId)).not.toContain(listed.messageId);
});

it('a relay batch that kept failing: its records are read again from the stream and the order goes through', async () => {
  const sku = await stockedSku();
  const customer = `dlq-${suffix().toLowerCase()}`;
  down.relay = true;
  const orderId = await placeOrder(customer, sku);

  // AWS's on-failure record only points at the records; inspect reads them from the stream to show the events.
  const inspected = await waitFor(
    "the relay's dead letter holding the OrderPlaced event",
    async () => {
      const { messages } = await inspectDeadLetters(target, 'OutboxRelay');
      return messages.find((m) =>
        (m.streamRecords ?? []).some((r) => JSON.stringify(r).includes(`"subject":"${orderId}"`)),
      );
    },
    90_000,
  );
  expect(inspected).toMatchObject({
    kind: 'stream-batch',
    origin: expect.stringContaining(relayFunction),
    attempts: 11, // the first try and the mapping's 10 retries
    redrive: expect.stringMatching(/^re-read shardId-/),
  });
  expect(await orderStatus(orderId)).toBe('PENDING'); // its saga never started: the event never left the table

  down.relay = false;
  const report = await redriveDeadLetters(target, 'OutboxRelay');
  expect(report.results.length).toBeGreaterThan(0);
  for (const result of report.results) expect(result).toMatchObject({ kind: 'stream-batch', outcome: 'redriven' });

  const final = await waitFor(
    'the order to be confirmed',
    async () => {
      const status = await orderStatus(orderId);
      return status === 'PENDING' ? undefined : status;
    },
    60_000,
  );
  expect(final).toBe('CONFIRMED');
});

it('a poison outbox record: listed with the relay error, kept by a redrive (also a forced one)', async () => {
  const ddb = new DynamoDBClient({
    endpoint: runtime.dynamodbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const eventId = `poison-${suffix()}`;
  const tableName = Object.values(runtime.tables)[0] ?? '';
  await ddb.send(
    new PutItemCommand({
      TableName: tableName,
      Item: { pk: { S: `OUTBOX#${eventId}` }, sk: { S: 'OUTBOX' }, payload: { S: '{"type":"NotAnEvent"}' } },
    }),
  );
  ddb.destroy();

  const poison = await waitFor('the parked poison record', async () => {
    const { messages } = await inspectDeadLetters(target, 'OutboxRelay');
    return messages.find((m) => m.record.kind === 'poison-outbox' && m.record.payload === '{"type":"NotAnEvent"}');
  });
  expect(poison).toMatchObject({ attempts: 1, attributes: { KIND: 'PoisonOutboxRecord' } });
  expect(poison.error).toMatch(/^invalid envelope/);

  for (const force of [false, true]) {
    const report = await redriveDeadLetters(target, 'OutboxRelay', { ids: [poison.messageId], force });
    expect(report.results).toEqual([expect.objectContaining({ outcome: 'skipped' })]);
  }
  const still = (await listDeadLetters(target)).find((q) => q.hop === 'OutboxRelay');
  expect(still?.messages.map((m) => m.messageId)).toContain(poison.messageId);
});

it('the command line lists the same dead letters as JSON, exits 1 for a message it cannot find, 2 for a mistake', async () => {
  const run = promisify(execFile);
  const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
  const cli = join(__dirname, '..', '..', 'scripts', 'dlq.ts');
  const listed = await run(tsx, [cli, 'list', '--local', runtime.apiUrl, '--json']);
  const out = JSON.parse(listed.stdout) as { queues: { hop: string; messages: { kind: string }[] }[] };
  expect(out.queues.find((q) => q.hop === 'OutboxRelay')?.messages.map((m) => m.kind)).toContain('poison-outbox');

  const dry = await run(tsx, [cli, 'redrive', 'OutboxRelay', '--dry-run', '--local', runtime.apiUrl]);
  expect(dry.stdout).toMatch(/SKIPPED/);
  await expect(
    run(tsx, [cli, 'inspect', 'OutboxRelay', '--id', 'no-such-id', '--local', runtime.apiUrl]),
  ).rejects.toMatchObject({ code: 1 });
  await expect(run(tsx, [cli, 'frobnicate', '--local', runtime.apiUrl])).rejects.toMatchObject({ code: 2 });
});
