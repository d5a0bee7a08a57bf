/**
 * The chaos client's answers that mean "later": a 503 `TEMPORARILY_UNAVAILABLE` with `Retry-After` is sent again
 * (the same request, the same Idempotency-Key) and is not a server error; any other 5xx is one.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiClient, pathTemplate, temporarilyUnavailable } from '../../scripts/chaos/api';

const unavailableBody = JSON.stringify({ error: { code: 'TEMPORARILY_UNAVAILABLE', message: 'busy' } });

describe('temporarilyUnavailable', () => {
  it('is a wait only for a 503 TEMPORARILY_UNAVAILABLE that carries Retry-After', () => {
    expect(temporarilyUnavailable(503, '1', unavailableBody)).toBe(1000);
    expect(temporarilyUnavailable(503, null, unavailableBody)).toBeUndefined();
    expect(temporarilyUnavailable(503, 'soon', unavailableBody)).toBeUndefined();
    expect(temporarilyUnavailable(503, '1', '{"error":{"code":"INTERNAL_ERROR"}}')).toBeUndefined();
    expect(temporarilyUnavailable(503, '1', 'not json')).toBeUndefined();
    expect(temporarilyUnavailable(500, '1', unavailableBody)).toBeUndefined();
  });

  it('names routes, not orders', () => {
    expect(pathTemplate('/orders/01JABCDEF0123/cancel')).toBe('/orders/{id}/cancel');
    expect(pathTemplate('/orders')).toBe('/orders');
  });
});

describe('ApiClient against a server that is busy, then answers', () => {
  let server: Server;
  let baseUrl: string;
  const seen: { path: string; key: string | undefined }[] = [];
  /** What the server answers next, per path (then 201). */
  const script = new Map<string, { status: number; headers?: Record<string, string>; body: string }[]>();

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const path = req.url ?? '';
      seen.push({ path, key: req.headers['idempotency-key'] as string | undefined });
      req.resume();
      req.on('end', () => {
        const next = script.get(path)?.shift() ?? { status: 201, body: JSON.stringify({ ok: path }) };
        res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
        res.end(next.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends a 503 with Retry-After again, with the same Idempotency-Key, and records no server error', async () => {
    const busy = { status: 503, headers: { 'retry-after': '0' }, body: unavailableBody };
    script.set('/orders', [busy, busy]);
    const api = new ApiClient(baseUrl);
    const answer = await api.request('POST', '/orders', { a: 1 }, { 'Idempotency-Key': 'key-1' });
    expect(answer).toEqual({ status: 201, body: { ok: '/orders' } });
    expect(seen.filter((s) => s.path === '/orders')).toEqual([
      { path: '/orders', key: 'key-1' },
      { path: '/orders', key: 'key-1' },
      { path: '/orders', key: 'key-1' },
    ]);
    expect(api.serverErrors).toEqual([]);
    expect(Object.fromEntries(api.unavailable)).toEqual({ 'POST /orders': 2 });
  });

  it('keeps a 500, and a 503 without Retry-After, as server errors (not retried)', async () => {
    script.set('/a', [{ status: 500, body: '{"error":{"code":"INTERNAL_ERROR"}}' }]);
    script.set('/b', [{ status: 503, body: unavailableBody }]);
    const api = new ApiClient(baseUrl);
    expect((await api.request('GET', '/a')).status).toBe(500);
    expect((await api.request('GET', '/b')).status).toBe(503);
    expect(api.serverErrors.map((e) => `${e.status} ${e.path}`)).toEqual(['500 /a', '503 /b']);
    expect(seen.filter((s) => s.path === '/a' || s.path === '/b')).toHaveLength(2);
  });
});
