/**
 * Events republished from their outbox items (`npm run dlq -- republish`, and the stream redrive's fallback to it)
 * on the real local runtime: the event reaches the bus with its original id, its consumers act on it, and a second
 * republish is dropped by them.
 *
 * Faults are injected, so this file starts its own runtime (like dead-letters.test.ts): the relay is down, so the
 * only way an event can reach the bus is the tool under test; and DynamoDB Streams answers the tool's
 * GetShardIterator with TrimmedDataAccessException, as AWS does once the records are older than 24 hours (only the
 * tool's requests reach the runtime's DynamoDB endpoint without a function's identity: the runtime's own stream
 * pollers read DynamoDB Local directly).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import type { FaultInjector } from '../../local/faults';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import { inspectDeadLetters, listDeadLetters, redriveDeadLetters } from '../../scripts/ops/dead-letters';
import { localTarget, type OpsTarget } from '../../scripts/ops/target';
import { waitFor } from './client';

jest.setTimeout(240_000);

const state = { relayDown: false, streamTrimmed: false };
let runtime: LocalRuntime;
let target: OpsTarget;
let ddb: DynamoDBClient;
let relayFunction = '';

const faults: FaultInjector = {
  beforeLambdaInvoke: ({ functionName, trigger }) =>
    state.relayDown && functionName === relayFunction && trigger === 'stream'
      ? { error: { errorType: 'RelayDown', errorMessage: 'the relay cannot reach EventBridge' } }
      : undefined,
  dynamodbRequest: ({ operation, functionName }) =>
    state.streamTrimmed && functionName === undefined && operation === 'GetShardIterator'
      ? {
          error: {
            status: 400,
            name: 'TrimmedDataAccessException',
            body: {
              __type: 'com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException',
              message: 'The requested sequence number is beyond the trim horizon (records are kept 24 hours)',
            },
          },
        }
      : undefined,
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
  const sku = `REP-${suffix()}`;
  await call('POST', '/products', { sku, name: sku, priceCents: 900, currency: 'EUR' });
  await call('POST', `/inventory/${sku}/restock`, { quantity: 10 });
  return sku;
}

async function placeOrder(sku: string): Promise<string> {
  const order = await call<{ orderId: string }>('POST', '/orders', {
    customerId: `rep-${suffix().toLowerCase()}`,
    items: [{ sku, quantity: 1 }],
    paymentToken: 'tok_visa',
  });
  return order.orderId;
}

const orderStatus = async (orderId: string) => (await call<{ status: string }>('GET', `/orders/${orderId}`)).status;

const confirmed = (orderId: string) =>
  waitFor(
    `order ${orderId} to be confirmed`,
    async () => ((await orderStatus(orderId)) === 'CONFIRMED' ? true : undefined),
    60_000,
  );

interface BusEvent {
  readonly id: string;
  readonly bus: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: { id: string; subject: string };
  readonly deliveries: { outcome: string }[];
}

/** What the runtime's bus accepted for this order (its event log). */
const orderPlacedOnBus = async (orderId: string) =>
  (await call<{ events: BusEvent[] }>('GET', `/_local/events?subject=${orderId}&type=OrderPlaced`)).events;

const executionsOf = async (orderId: string) =>
  (await call<{ executions: unknown[] }>('GET', `/_local/executions?name=${orderId}`)).executions;

/** The id of the OrderPlaced event in the outbox (written in the same transaction as the order). */
async function outboxEventId(orderId: string): Promise<string> {
  const tableName = Object.values(runtime.tables)[0] ?? '';
  const pages = paginateScan(
    { client: ddb },
    {
      TableName: tableName,
      FilterExpression: 'begins_with(pk, :outbox) AND eventType = :type AND subject = :order',
      ExpressionAttributeValues: {
        ':outbox': { S: 'OUTBOX#' },
        ':type': { S: 'OrderPlaced' },
        ':order': { S: orderId },
      },
    },
  );
  for await (const page of pages) {
    const pk = page.Items?.[0]?.pk?.S;
    if (pk) return pk.slice('OUTBOX#'.length);
  }
  throw new Error(`no OrderPlaced outbox item for order ${orderId}`);
}

beforeAll(async () => {
  // The suite's global setup synthesized cdk.out just now; a second synth here could race it.
  runtime = await startLocalRuntime({ port: 0, synth: 'never', logs: 'silent', faults });
  relayFunction = Object.entries(runtime.functions).find(([id]) => id.startsWith('PlatformOutboxRelay'))?.[1] ?? '';
  if (!relayFunction) throw new Error('no PlatformOutboxRelay* function in the template');
  target = await localTarget(runtime.apiUrl);
  ddb = new DynamoDBClient({
    endpoint: runtime.dynamodbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}, 180_000);

afterAll(async () => {
  ddb?.destroy();
  target?.close();
  await runtime?.stop();
});

it('a dead-lettered relay batch the stream no longer has: the redrive republishes its outbox items instead', async () => {
  const sku = await stockedSku();
  state.relayDown = true;
  const orderId = await placeOrder(sku);
  const eventId = await outboxEventId(orderId);

  const dead = await waitFor(
    "the relay's dead letter holding the OrderPlaced event",
    async () => {
      const { messages } = await inspectDeadLetters(target, 'OutboxRelay');
      return messages.find((m) => JSON.stringify(m.streamRecords ?? []).includes(`"id":"${eventId}"`));
    },
    120_000,
  );
  expect(await orderStatus(orderId)).toBe('PENDING'); // the event never left the table

  // From now on the stream says what it says after 24 hours.
  state.streamTrimmed = true;
  const trimmed = await inspectDeadLetters(target, 'OutboxRelay', { ids: [dead.messageId] });
  expect(trimmed.messages[0]?.streamRecordsError).toMatch(/TrimmedDataAccessException/);

  // The relay is still down: only the fallback can bring the event to the bus.
  const report = await redriveDeadLetters(target, 'OutboxRelay', { ids: [dead.messageId] });
  expect(report.results).toEqual([
    expect.objectContaining({
      messageId: dead.messageId,
      outcome: 'redriven',
      action: expect.stringMatching(/^republish the outbox events of .* \(fallback\)$/),
      fallback: expect.objectContaining({ kind: 'republished-outbox', reason: 'TrimmedDataAccessException' }),
    }),
  ]);
  expect(report.results[0]?.fallback?.published).toBeGreaterThanOrEqual(1);

  await confirmed(orderId);
  const onBus = await orderPlacedOnBus(orderId);
  expect(onBus.map((e) => [e.detail.id, e.source, e.detailType])).toEqual([
    [eventId, 'commerce.orders', 'OrderPlaced'],
  ]);
  expect(onBus[0]?.bus).toBe(await target.eventBusName());
  const after = (await listDeadLetters(target)).find((q) => q.hop === 'OutboxRelay');
  expect(after?.messages.map((m) => m.messageId)).not.toContain(dead.messageId);
});

it('npm run dlq -- republish --event: the event goes to the bus with its id; a second time, consumers drop it', async () => {
  const run = promisify(execFile);
  const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
  const cli = join(__dirname, '..', '..', 'scripts', 'dlq.ts');
  const dlq = (...args: string[]) => run(tsx, [cli, 'republish', ...args, '--local', runtime.apiUrl]);

  const sku = await stockedSku();
  state.relayDown = true;
  const orderId = await placeOrder(sku);
  const eventId = await outboxEventId(orderId);

  const dry = JSON.parse((await dlq('--event', eventId, '--dry-run', '--json')).stdout);
  expect(dry.results).toEqual([expect.objectContaining({ eventId, type: 'OrderPlaced', outcome: 'planned' })]);
  expect(await orderPlacedOnBus(orderId)).toEqual([]); // a dry run publishes nothing

  const first = JSON.parse((await dlq('--event', eventId, '--json')).stdout);
  expect(first).toMatchObject({
    bus: await target.eventBusName(),
    results: [{ eventId, type: 'OrderPlaced', subject: orderId, outcome: 'published' }],
    counts: { published: 1, failed: 0 },
  });
  await confirmed(orderId);

  // Again: the bus gets the same event id a second time; the checkout starter drops it (one saga per order).
  const second = await dlq('--event', eventId);
  expect(second.stdout).toMatch(new RegExp(`${eventId}  PUBLISHED  OrderPlaced  ${orderId}`));
  const twice = await waitFor('both OrderPlaced deliveries to be done', async () => {
    const events = await orderPlacedOnBus(orderId);
    const done = events.length === 2 && events.every((e) => e.deliveries.every((d) => d.outcome === 'delivered'));
    return done ? events : undefined;
  });
  expect(twice.map((e) => e.detail.id)).toEqual([eventId, eventId]);
  expect(await executionsOf(orderId)).toHaveLength(1);

  await expect(dlq('--event', `01NOSUCHEVENT${suffix()}`)).rejects.toMatchObject({
    code: 1,
    stdout: expect.stringMatching(/NOT FOUND|MISSING/),
  });
  await expect(dlq('--from', '2026-11-20T09:00:00Z')).rejects.toMatchObject({ code: 2 });
});

it('npm run dlq -- republish --from --to: every outbox event of the window, read with a Scan of the table', async () => {
  const sku = await stockedSku();
  state.relayDown = true;
  const from = new Date(Date.now() - 1_000).toISOString();
  const orderId = await placeOrder(sku);
  const to = new Date(Date.now() + 1_000).toISOString();
  const eventId = await outboxEventId(orderId);

  const run = promisify(execFile);
  const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
  const cli = join(__dirname, '..', '..', 'scripts', 'dlq.ts');
  const out = JSON.parse(
    (await run(tsx, [cli, 'republish', '--from', from, '--to', to, '--json', '--local', runtime.apiUrl])).stdout,
  );
  expect(out.selection).toEqual({ from, to });
  expect(out.scanned).toBeGreaterThan(0);
  expect(out.results).toContainEqual(expect.objectContaining({ eventId, subject: orderId, outcome: 'published' }));
  for (const r of out.results) expect(Date.parse(r.time)).toBeGreaterThanOrEqual(Date.parse(from));
  for (const r of out.results) expect(Date.parse(r.time)).toBeLessThanOrEqual(Date.parse(to));
  await confirmed(orderId);
  expect((await orderPlacedOnBus(orderId)).map((e) => e.detail.id)).toEqual([eventId]);
});
