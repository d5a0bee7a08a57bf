/** The bench's HTTP client: the public API only (products, stock, orders), over keep-alive connections. */
import { randomBytes } from 'node:crypto';

export interface ApiResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export class ApiClient {
  constructor(private readonly apiUrl: string) {}

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse> {
    const response = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  /** Creates `count` products with `stock` units each; returns their skus. */
  async stockedSkus(count: number, stock: number): Promise<string[]> {
    const prefix = `BENCH-${randomBytes(3).toString('hex').toUpperCase()}`;
    const skus = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
    for (const sku of skus) {
      const created = await this.call('POST', '/products', { sku, name: sku, priceCents: 1250, currency: 'EUR' });
      if (created.status !== 201)
        throw new Error(`POST /products ${sku}: ${created.status} ${JSON.stringify(created.body)}`);
      const restocked = await this.call('POST', `/inventory/${sku}/restock`, { quantity: stock });
      if (restocked.status !== 200)
        throw new Error(`restock ${sku}: ${restocked.status} ${JSON.stringify(restocked.body)}`);
    }
    return skus;
  }

  /** One checkout as a client places it: one line, an approved card, and an Idempotency-Key. */
  placeOrder(customerId: string, sku: string): Promise<ApiResponse> {
    return this.call(
      'POST',
      '/orders',
      { customerId, items: [{ sku, quantity: 1 }], paymentToken: 'tok_visa' },
      { 'idempotency-key': randomBytes(12).toString('hex') },
    );
  }

  async orderStatus(orderId: string): Promise<string> {
    const order = await this.call('GET', `/orders/${orderId}`);
    return String(order.body.status ?? `HTTP ${order.status}`);
  }
}
