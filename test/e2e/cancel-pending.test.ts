/**
 * A customer who cancels a PENDING order is never charged for it, whatever the saga was doing when the cancellation
 * was recorded: before the checkout started, while stock was being reserved, or while the payment step was about to
 * call the provider. Each case holds one step of the saga (an injected wait before its function runs) until the
 * cancellation is recorded through the public API, then lets it go.
 *
 * This file starts its own runtime with a fault injector (holding steps of the shared runtime would slow the other
 * e2e files down); the provider's ledger is read from DynamoDB Local directly (the API does not expose it).
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { FaultInjector, LambdaInvokeContext } from '../../local/faults';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import type { Execution } from '../../local/stepfunctions/engine';
import { stateViews } from '../../local/stepfunctions/history';
import { waitFor } from './client';

jest.setTimeout(120_000);

/** Holds every invocation that `matches` until released. */
class Gate {
  private matches: ((c: LambdaInvokeContext) => boolean) | undefined;
  private release: (() => void) | undefined;
  private opened = Promise.resolve();
  held = 0;

  close(matches: (c: LambdaInvokeContext) => boolean): void {
    this.matches = matches;
    this.held = 0;
    this.opened = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  open(): void {
    this.matches = undefined;
    this.release?.();
  }

  readonly injector: FaultInjector = {
    beforeLambdaInvoke: async (c) => {
      if (!this.matches?.(c)) return undefined;
      this.held++;
      await this.opened;
      return undefined;
    },
  };
}

const gate = new Gate();
let runtime: LocalRuntime;
let ledger: DynamoDBDocumentClient;
let tableName = '';

async function call<T = Record<string, unknown>>(method: string, path: string, body?: unknown) {
  const response = await fetch(`${runtime.apiUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function stockedSku(): Promise<string> {
  const sku = `CXL-${randomBytes(4).toString('hex').toUpperCase()}`;
  await call('POST', '/products', { sku, name: sku, priceCents: 900, currency: 'EUR' });
  await call('POST', `/inventory/${sku}/restock`, { quantity: 5 });
  return sku;
}

async function placeOrder(sku: string): Promise<string> {
  const placed = await call<{ orderId: string }>('POST', '/orders', {
    customerId: `cust-${randomBytes(3).toString('hex')}`,
    items: [{ sku, quantity: 2 }],
    paymentToken: 'tok_visa',
  });
  expect(placed.status).toBe(202);
  return placed.body.orderId;
}

const finalOrder = (orderId: string) =>
  waitFor(`order ${orderId} to be final`, async () => {
    const order = await call<{ status: string; reason?: string }>('GET', `/orders/${orderId}`);
    return order.body.status === 'PENDING' ? undefined : order.body;
  });

const endedExecution = (orderId: string) =>
  waitFor(`the execution of ${orderId} to end`, async () => {
    const [execution] = runtime.executions(orderId);
    return execution && execution.status !== 'RUNNING' ? execution : undefined;
  });

/** What the provider holds for an order: its ledger entry for the order's authorization key, if any. */
async function providerEntry(orderId: string) {
  const result = await ledger.send(
    new GetCommand({
      TableName: tableName,
      Key: { pk: `PSP#authorize-${orderId}`, sk: 'LEDGER' },
      ConsistentRead: true,
    }),
  );
  return result.Item;
}

function statesOf(execution: Execution) {
  return stateViews(execution.history);
}

async function expectCancelledWithoutCharge(orderId: string, sku: string) {
  expect(await finalOrder(orderId)).toMatchObject({ status: 'CANCELLED', reason: 'CUSTOMER_REQUEST' });
  const execution = await endedExecution(orderId);
  expect(execution.status).toBe('SUCCEEDED');
  expect(await providerEntry(orderId)).toBeUndefined();
  const stock = await call<{ available: number; reserved: number }>('GET', `/inventory/${sku}`);
  expect(stock.body).toMatchObject({ available: 5, reserved: 0 });
  const payments = await call<{ items: unknown[] }>('GET', `/orders/${orderId}/payments`);
  expect(payments.body.items).toEqual([]);
  return statesOf(execution);
}

beforeAll(async () => {
  runtime = await startLocalRuntime({ port: 0, synth: 'auto', logs: 'silent', faults: gate.injector });
  tableName = Object.values(runtime.tables)[0] ?? '';
  ledger = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: runtime.dynamodbLocalEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
});

afterAll(async () => {
  gate.open();
  ledger?.destroy();
  await runtime?.stop();
});

afterEach(() => gate.open());

test('cancelled before its checkout started: the execution only cancels, nothing is reserved or authorized', async () => {
  const sku = await stockedSku();
  gate.close((c) => /OrdersSagaStarter/.test(c.functionName));
  const orderId = await placeOrder(sku);
  await waitFor('the saga start to be held', async () => (gate.held > 0 ? true : undefined));
  expect((await call('POST', `/orders/${orderId}/cancel`)).status).toBe(202);
  gate.open();
  const states = await expectCancelledWithoutCharge(orderId, sku);
  const names = states.map((s) => s.name);
  expect(names).not.toContain('ReserveInventory');
  expect(names).not.toContain('AuthorizePayment');
  expect(names).toContain('CancelOrder');
});

test('cancelled while its stock was being reserved: nothing is held, the payment step never runs', async () => {
  const sku = await stockedSku();
  gate.close((c) => c.stateName === 'ReserveInventory');
  const orderId = await placeOrder(sku);
  await waitFor('ReserveInventory to be held', async () => (gate.held > 0 ? true : undefined));
  expect((await call('POST', `/orders/${orderId}/cancel`)).status).toBe(202);
  gate.open();
  const states = await expectCancelledWithoutCharge(orderId, sku);
  const reserve = states.find((s) => s.name === 'ReserveInventory');
  expect(reserve?.error).toBe('CancellationRequested');
  expect(states.map((s) => s.name)).not.toContain('AuthorizePayment');
});

test('cancelled just before the payment step called the provider: no authorization is made', async () => {
  const sku = await stockedSku();
  gate.close((c) => c.stateName === 'AuthorizePayment');
  const orderId = await placeOrder(sku);
  await waitFor('AuthorizePayment to be held', async () => (gate.held > 0 ? true : undefined));
  const cancelledAt = Date.now();
  expect((await call('POST', `/orders/${orderId}/cancel`)).status).toBe(202);
  gate.open();
  const states = await expectCancelledWithoutCharge(orderId, sku);
  const authorize = states.find((s) => s.name === 'AuthorizePayment');
  // The state was entered before the cancellation; the step saw it and refused to charge.
  expect(Date.parse(authorize?.enteredAt ?? '')).toBeLessThan(cancelledAt);
  expect(authorize).toMatchObject({ status: 'caught', error: 'CancellationRequested' });
  expect(states.filter((s) => s.name === 'AuthorizePayment' && s.status === 'succeeded')).toEqual([]);
});
