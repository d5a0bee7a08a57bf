/**
 * Every HTTP handler with payload 2.0 events against DynamoDB Local: the contract's status codes, the error shape
 * `{error:{code,message}}` for bad input, and no write at all when the answer is a 4xx.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { ROUTES } from '../../functions/http-api';
import { dynamoDbClient } from '../../functions/shared/ddb/client';
import { MAX_BODY_BYTES } from '../../functions/shared/http/request';
import type { ApiResult } from '../../functions/shared/http/response';
import { type ApiEventInput, apiEvent, lambdaContext } from '../helpers/api-event';
import { attachFaults, everyItem, firstItem } from '../helpers/faulty-client';
import { createTable, deleteTable, scanAll } from '../helpers/table';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<ApiResult>;
const handlers: Record<string, Handler> = {};
let tableName: string;

/** Every route's handler, by route key, from the route table itself. */
const ENTRIES: Record<string, string> = Object.fromEntries(
  ROUTES.map((route) => [`${route.method} ${route.path}`, route.entry.replace(/\.ts$/, '')]),
);

async function call(routeKey: string, input: ApiEventInput = {}) {
  const handler = handlers[routeKey];
  if (!handler) throw new Error(`no handler for ${routeKey}`);
  const result = await handler(apiEvent(routeKey, input), lambdaContext);
  return {
    status: result.statusCode,
    headers: result.headers ?? {},
    body: result.body ? JSON.parse(String(result.body)) : undefined,
  };
}

/** Asserts a 4xx with the error shape and that the table did not change. */
async function rejects(routeKey: string, input: ApiEventInput, status: number, code: string) {
  const before = await scanAll(tableName);
  const response = await call(routeKey, input);
  expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status, code });
  expect(typeof response.body.error.message).toBe('string');
  expect(Object.keys(response.body)).toEqual(['error']);
  expect(await scanAll(tableName)).toEqual(before);
}

const ULID = '01JDQ3ZK5W0Y8V9XG7H2M4N6PB';

beforeAll(async () => {
  tableName = await createTable('api');
  process.env.TABLE_NAME = tableName;
  for (const [routeKey, entry] of Object.entries(ENTRIES)) {
    handlers[routeKey] = (await import(`../../functions/${entry}`)).handler as Handler;
  }
  expect(
    (await call('POST /products', { body: { sku: 'API-TEE', name: 'Tee', priceCents: 1200, currency: 'EUR' } })).status,
  ).toBe(201);
  expect(
    (await call('POST /inventory/{sku}/restock', { pathParameters: { sku: 'API-TEE' }, body: { quantity: 5 } })).status,
  ).toBe(200);
});
afterAll(async () => {
  await deleteTable(tableName);
});

describe('catalog', () => {
  it('creates a product (201, location) and refuses the same sku (409)', async () => {
    const created = await call('POST /products', {
      body: { sku: 'API-MUG', name: 'Mug', priceCents: 800, currency: 'EUR', category: 'kitchen' },
    });
    expect(created).toMatchObject({
      status: 201,
      headers: { location: '/products/API-MUG' },
      body: { sku: 'API-MUG', category: 'kitchen' },
    });
    expect(created.body).not.toHaveProperty('version');
    await rejects(
      'POST /products',
      { body: { sku: 'API-MUG', name: 'Other', priceCents: 1, currency: 'EUR' } },
      409,
      'PRODUCT_EXISTS',
    );
  });

  it.each([
    ['invalid JSON', { body: '{"sku": ', rawBody: true }, 400, 'INVALID_JSON'],
    ['an empty body', { body: '', rawBody: true }, 400, 'VALIDATION_FAILED'],
    ['a JSON array', { body: [1, 2] }, 400, 'VALIDATION_FAILED'],
    [
      'a wrong type',
      { body: { sku: 'API-X1', name: 'x', priceCents: '12', currency: 'EUR' } },
      400,
      'VALIDATION_FAILED',
    ],
    ['a missing field', { body: { sku: 'API-X2', priceCents: 12, currency: 'EUR' } }, 400, 'VALIDATION_FAILED'],
    [
      'an unknown field',
      { body: { sku: 'API-X3', name: 'x', priceCents: 12, currency: 'EUR', price: 1 } },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a lower-case sku',
      { body: { sku: 'api-x4', name: 'x', priceCents: 12, currency: 'EUR' } },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a fractional price',
      { body: { sku: 'API-X5', name: 'x', priceCents: 12.5, currency: 'EUR' } },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a negative price',
      { body: { sku: 'API-X6', name: 'x', priceCents: -1, currency: 'EUR' } },
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a body over the limit',
      { body: { sku: 'API-X7', name: 'x'.repeat(MAX_BODY_BYTES), priceCents: 1, currency: 'EUR' } },
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'a form body',
      { body: 'sku=X', rawBody: true, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
  ] as const)('rejects %s', async (_name, input, status, code) => {
    await rejects('POST /products', input as ApiEventInput, status, code);
  });

  it('accepts a base64-encoded JSON body (as API Gateway sends binary media types)', async () => {
    const response = await call('POST /products', {
      body: { sku: 'API-B64', name: 'b', priceCents: 5, currency: 'EUR' },
      base64: true,
    });
    expect(response.status).toBe(201);
  });

  it('gets a product, 404 for an unknown sku and 400 for an odd one', async () => {
    expect(await call('GET /products/{sku}', { pathParameters: { sku: 'API-TEE' } })).toMatchObject({
      status: 200,
      body: { sku: 'API-TEE' },
    });
    await rejects('GET /products/{sku}', { pathParameters: { sku: 'NOPE-404' } }, 404, 'PRODUCT_NOT_FOUND');
    await rejects('GET /products/{sku}', { pathParameters: { sku: '../etc/passwd' } }, 400, 'VALIDATION_FAILED');
  });

  it('pages products and validates limit and cursor', async () => {
    const first = await call('GET /products', { query: { limit: '1' } });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(typeof first.body.nextCursor).toBe('string');
    await rejects('GET /products', { query: { limit: '0' } }, 400, 'VALIDATION_FAILED');
    await rejects('GET /products', { query: { limit: 'ten' } }, 400, 'VALIDATION_FAILED');
    await rejects('GET /products', { query: { cursor: 'bm90IGEgY3Vyc29y' } }, 400, 'VALIDATION_FAILED');
    const all = await call('GET /products', { query: { limit: '100' } });
    expect(all.body.nextCursor).toBeNull();
  });
});

describe('inventory', () => {
  it('restocks and reads levels; unknown sku is 404, a bad quantity 400', async () => {
    expect(await call('GET /inventory/{sku}', { pathParameters: { sku: 'API-TEE' } })).toMatchObject({
      status: 200,
      body: { sku: 'API-TEE', available: 5, reserved: 0 },
    });
    await rejects(
      'POST /inventory/{sku}/restock',
      { pathParameters: { sku: 'NOPE-404' }, body: { quantity: 1 } },
      404,
      'PRODUCT_NOT_FOUND',
    );
    await rejects(
      'POST /inventory/{sku}/restock',
      { pathParameters: { sku: 'API-TEE' }, body: { quantity: 0 } },
      400,
      'VALIDATION_FAILED',
    );
    await rejects('GET /inventory/{sku}', { pathParameters: { sku: 'NOPE-404' } }, 404, 'PRODUCT_NOT_FOUND');
  });
});

describe('orders', () => {
  const order = { customerId: 'cust-api', items: [{ sku: 'API-TEE', quantity: 2 }], paymentToken: 'tok_visa' };

  it('accepts an order with 202 PENDING, prices from the catalog, no token in the answer, correlation id echoed', async () => {
    const response = await call('POST /orders', { body: order, headers: { 'x-correlation-id': 'corr-api-1' } });
    expect(response).toMatchObject({
      status: 202,
      headers: { 'x-correlation-id': 'corr-api-1' },
      body: { status: 'PENDING', totalCents: 2400, items: [{ sku: 'API-TEE', quantity: 2, unitPriceCents: 1200 }] },
    });
    expect(JSON.stringify(response.body)).not.toContain('tok_visa');
    const fetched = await call('GET /orders/{orderId}', { pathParameters: { orderId: response.body.orderId } });
    expect(fetched.body).toEqual(response.body);
    expect(
      await call('GET /orders/{orderId}/payments', { pathParameters: { orderId: response.body.orderId } }),
    ).toMatchObject({
      status: 200,
      body: { items: [] },
    });
  });

  it('replays an Idempotency-Key with the same body and refuses another body', async () => {
    const first = await call('POST /orders', { body: order, headers: { 'idempotency-key': 'api-key-1' } });
    const replay = await call('POST /orders', { body: order, headers: { 'idempotency-key': 'api-key-1' } });
    expect(replay).toMatchObject({
      status: 202,
      headers: { 'idempotent-replayed': 'true' },
      body: { orderId: first.body.orderId },
    });
    await rejects(
      'POST /orders',
      { body: { ...order, customerId: 'someone-else' }, headers: { 'idempotency-key': 'api-key-1' } },
      409,
      'IDEMPOTENCY_KEY_REUSED',
    );
    await rejects(
      'POST /orders',
      { body: order, headers: { 'idempotency-key': 'bad key!' } },
      400,
      'VALIDATION_FAILED',
    );
  });

  it.each([
    ['an unknown sku', { ...order, items: [{ sku: 'NOPE-404', quantity: 1 }] }, 422, 'UNKNOWN_SKU'],
    ['no items', { ...order, items: [] }, 400, 'VALIDATION_FAILED'],
    [
      '26 lines',
      { ...order, items: Array.from({ length: 26 }, (_, i) => ({ sku: `API-L${i}X`, quantity: 1 })) },
      400,
      'VALIDATION_FAILED',
    ],
    ['a zero quantity', { ...order, items: [{ sku: 'API-TEE', quantity: 0 }] }, 400, 'VALIDATION_FAILED'],
    [
      'a client price',
      { ...order, items: [{ sku: 'API-TEE', quantity: 1, unitPriceCents: 1 }] },
      400,
      'VALIDATION_FAILED',
    ],
    ['a missing payment token', { customerId: 'c', items: order.items }, 400, 'VALIDATION_FAILED'],
    ['a customer id with spaces', { ...order, customerId: 'a b' }, 400, 'VALIDATION_FAILED'],
  ])('rejects %s', async (_name, body, status, code) => {
    await rejects('POST /orders', { body }, status, code);
  });

  it('answers 400 for an odd order id and 404 for an unknown one, on every order route', async () => {
    for (const routeKey of [
      'GET /orders/{orderId}',
      'POST /orders/{orderId}/cancel',
      'GET /orders/{orderId}/payments',
    ]) {
      await rejects(routeKey, { pathParameters: { orderId: 'not-an-id' } }, 400, 'VALIDATION_FAILED');
      await rejects(routeKey, { pathParameters: { orderId: ULID } }, 404, 'ORDER_NOT_FOUND');
    }
  });

  it('records a cancellation request with 202, and again harmlessly', async () => {
    const placed = await call('POST /orders', { body: order });
    const first = await call('POST /orders/{orderId}/cancel', { pathParameters: { orderId: placed.body.orderId } });
    const again = await call('POST /orders/{orderId}/cancel', { pathParameters: { orderId: placed.body.orderId } });
    expect(first).toMatchObject({ status: 202, body: { cancelRequested: true, status: 'PENDING' } });
    expect(again.status).toBe(202);
  });
});

describe('customers', () => {
  it('lists orders and notifications (empty until the consumers ran) and validates the customer id', async () => {
    expect(
      await call('GET /customers/{customerId}/orders', { pathParameters: { customerId: 'nobody' } }),
    ).toMatchObject({
      status: 200,
      body: { items: [], nextCursor: null },
    });
    expect(
      await call('GET /customers/{customerId}/notifications', { pathParameters: { customerId: 'nobody' } }),
    ).toMatchObject({
      status: 200,
      body: { items: [] },
    });
    await rejects(
      'GET /customers/{customerId}/orders',
      { pathParameters: { customerId: 'x'.repeat(65) } },
      400,
      'VALIDATION_FAILED',
    );
    await rejects(
      'GET /customers/{customerId}/notifications',
      { pathParameters: { customerId: 'a/b' } },
      400,
      'VALIDATION_FAILED',
    );
  });
});

describe('input that used to get through', () => {
  const cursor = (key: Record<string, string>) => Buffer.from(JSON.stringify(key)).toString('base64url');

  it('refuses a cursor whose sort key lies outside the list read (a notification key on the orders list)', async () => {
    const crafted = cursor({ pk: 'CUSTOMER#nobody', sk: 'NOTIFICATION#01JDQ3ZK5W0Y8V9XG7H2M4N6PB#ORDER_CONFIRMED' });
    await rejects(
      'GET /customers/{customerId}/orders',
      { pathParameters: { customerId: 'nobody' }, query: { cursor: crafted } },
      400,
      'VALIDATION_FAILED',
    );
    const other = cursor({ pk: 'CUSTOMER#nobody', sk: 'ORDER#01JDQ3ZK5W0Y8V9XG7H2M4N6PB' });
    await rejects(
      'GET /customers/{customerId}/notifications',
      { pathParameters: { customerId: 'nobody' }, query: { cursor: other } },
      400,
      'VALIDATION_FAILED',
    );
  });

  it('caps the quantity of a sku after merging its lines, and the order total', async () => {
    const thrice = { sku: 'API-TEE', quantity: 1000 };
    const body = { customerId: 'cust-cap', paymentToken: 'tok_visa', items: [thrice, thrice, thrice] };
    await rejects('POST /orders', { body }, 400, 'VALIDATION_FAILED');
    expect(
      (
        await call('POST /products', {
          body: { sku: 'API-GOLD', name: 'Gold bar', priceCents: 100_000_000, currency: 'EUR' },
        })
      ).status,
    ).toBe(201);
    const costly = { customerId: 'cust-cap', paymentToken: 'tok_visa', items: [{ sku: 'API-GOLD', quantity: 2 }] };
    await rejects('POST /orders', { body: costly }, 422, 'ORDER_TOTAL_TOO_LARGE');
  });

  it('accepts ISO 4217 currencies only', async () => {
    await rejects(
      'POST /products',
      { body: { sku: 'API-FAKE-CUR', name: 'x', priceCents: 100, currency: 'ABC' } },
      400,
      'VALIDATION_FAILED',
    );
    const yen = await call('POST /products', {
      body: { sku: 'API-YEN', name: 'Tea', priceCents: 1500, currency: 'JPY' },
    });
    expect(yen.status).toBe(201);
  });
});

describe('faults only AWS has', () => {
  const faults = attachFaults(dynamoDbClient);
  afterEach(() => faults.clear());

  it('answers a product create that stays throttled with 503 and Retry-After, never 409 PRODUCT_EXISTS', async () => {
    faults.inject(
      'TransactWriteItems',
      ...Array.from({ length: 6 }, () => ({ kind: 'cancel' as const, reasons: everyItem('ThrottlingError') })),
    );
    const before = await scanAll(tableName);
    const response = await call('POST /products', {
      body: { sku: 'API-THROTTLED', name: 'x', priceCents: 100, currency: 'EUR' },
    });
    expect(response).toMatchObject({ status: 503, body: { error: { code: 'TEMPORARILY_UNAVAILABLE' } } });
    expect(response.headers['retry-after']).toBe('1');
    expect(await scanAll(tableName)).toEqual(before);
  });

  it('creates the product when the throttling passes within the retries', async () => {
    faults.inject('TransactWriteItems', { kind: 'cancel', reasons: firstItem('TransactionConflict') });
    const response = await call('POST /products', {
      body: { sku: 'API-CONFLICTED', name: 'x', priceCents: 100, currency: 'EUR' },
    });
    expect(response.status).toBe(201);
  });
});
