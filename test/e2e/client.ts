/** A small client for the e2e suite: the public HTTP API, unique test data, and waiting for a state with a deadline. */
import { randomBytes } from 'node:crypto';

export const apiUrl = (): string => {
  const url = process.env.E2E_API_URL;
  if (!url)
    throw new Error('E2E_API_URL is not set: run the e2e suite through jest (its global setup starts the runtime)');
  return url;
};

export interface Response<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export async function http<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response<T>> {
  const response = await fetch(`${apiUrl()}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T };
}

/** A sku nobody else in the run uses. */
export function uniqueSku(prefix = 'E2E'): string {
  return `${prefix}-${randomBytes(5).toString('hex').toUpperCase()}`;
}

export function uniqueCustomer(prefix = 'cust'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

/** Polls until `probe` returns a value that is not undefined, or fails with the last value seen. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  let delay = 50;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 400);
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `; last error: ${String(last)}` : ''}`);
}

export async function createStockedProduct(quantity: number, priceCents = 1500): Promise<string> {
  const sku = uniqueSku();
  const created = await http('POST', '/products', { sku, name: `Product ${sku}`, priceCents, currency: 'EUR' });
  if (created.status !== 201)
    throw new Error(`creating ${sku} answered ${created.status}: ${JSON.stringify(created.body)}`);
  if (quantity > 0) {
    const restocked = await http('POST', `/inventory/${sku}/restock`, { quantity });
    if (restocked.status !== 200) throw new Error(`restocking ${sku} answered ${restocked.status}`);
  }
  return sku;
}

export interface OrderBody {
  orderId: string;
  status: 'PENDING' | 'CONFIRMED' | 'CANCELLED';
  reason?: string;
  totalCents: number;
  customerId: string;
  cancelRequested?: boolean;
}

export async function placeOrder(
  customerId: string,
  items: { sku: string; quantity: number }[],
  paymentToken = 'tok_visa',
  headers: Record<string, string> = {},
): Promise<Response<OrderBody>> {
  return http<OrderBody>('POST', '/orders', { customerId, items, paymentToken }, headers);
}

/** Waits until the order is CONFIRMED or CANCELLED and returns it. */
export async function finalOrder(orderId: string, timeoutMs = 30_000): Promise<OrderBody> {
  return waitFor(
    `order ${orderId} to be final`,
    async () => {
      const order = await http<OrderBody>('GET', `/orders/${orderId}`);
      return order.body.status === 'PENDING' ? undefined : order.body;
    },
    timeoutMs,
  );
}

export async function stock(
  sku: string,
): Promise<{ available: number; reserved: number; sold: number; restocked: number }> {
  return (
    await http<{ available: number; reserved: number; sold: number; restocked: number }>('GET', `/inventory/${sku}`)
  ).body;
}
