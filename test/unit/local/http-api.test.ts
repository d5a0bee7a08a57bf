import { mapV2Response } from '../../../local/api/payload-v2';
import { compileRoutes, matchRoute } from '../../../local/api/routes';
import { TokenBucket } from '../../../local/api/token-bucket';
import type { RouteDef } from '../../../local/template/model';

const route = (routeKey: string): RouteDef => ({ routeKey, integration: undefined, authorizationType: 'NONE' });
const routes = compileRoutes(
  [
    'GET /products/{sku}',
    'GET /products/special',
    'ANY /products/{sku}',
    'GET /files/{proxy+}',
    'POST /orders',
    '$default',
  ].map(route),
);
const match = (method: string, path: string) => {
  const m = matchRoute(routes, method, path);
  return m && [m.route.def.routeKey, m.pathParameters];
};

describe('HTTP API route selection', () => {
  it('prefers literal segments, then variables, then greedy variables, then $default', () => {
    expect(match('GET', '/products/special')).toEqual(['GET /products/special', undefined]);
    expect(match('GET', '/products/abc')).toEqual(['GET /products/{sku}', { sku: 'abc' }]);
    expect(match('DELETE', '/products/abc')).toEqual(['ANY /products/{sku}', { sku: 'abc' }]);
    expect(match('GET', '/files/a/b%20c.txt')).toEqual(['GET /files/{proxy+}', { proxy: 'a/b c.txt' }]);
    expect(match('GET', '/orders')).toEqual(['$default', undefined]);
    expect(match('POST', '/orders')).toEqual(['POST /orders', undefined]);
  });

  it('URL-decodes path parameters and finds no route without $default', () => {
    const noDefault = compileRoutes([route('GET /products/{sku}')]);
    expect(matchRoute(noDefault, 'GET', '/products/a%2Fb')?.pathParameters).toEqual({ sku: 'a/b' });
    expect(matchRoute(noDefault, 'GET', '/products')).toBeUndefined();
    expect(matchRoute(noDefault, 'GET', '/products/a/b')).toBeUndefined();
  });

  it('rejects a malformed route key', () => {
    expect(() => compileRoutes([route('products')])).toThrow(/METHOD \/path/);
  });
});

describe('payload 2.0 response mapping', () => {
  it('uses statusCode, headers, cookies and base64 bodies as given', () => {
    const r = mapV2Response(
      JSON.stringify({
        statusCode: 201,
        headers: { 'X-A': 'b' },
        cookies: ['c=1'],
        body: 'aGk=',
        isBase64Encoded: true,
      }),
    );
    expect(r).toMatchObject({ statusCode: 201, headers: { 'x-a': 'b' }, cookies: ['c=1'] });
    expect(r.body.toString()).toBe('hi');
  });

  it('infers 200 JSON for anything else (a string is the body as it is)', () => {
    expect(mapV2Response('"Hello from Lambda!"').body.toString()).toBe('Hello from Lambda!');
    const object = mapV2Response('{"message":"Hello"}');
    expect(object).toMatchObject({ statusCode: 200, headers: { 'content-type': 'application/json' } });
    expect(object.body.toString()).toBe('{"message":"Hello"}');
    expect(mapV2Response('null').body.toString()).toBe('null');
  });

  it('answers 500 for a response API Gateway cannot use', () => {
    expect(mapV2Response(JSON.stringify({ statusCode: 'abc' }))).toMatchObject({
      statusCode: 500,
      malformed: expect.any(String),
    });
  });
});

describe('route throttling', () => {
  it('allows the burst, then refills at the rate', async () => {
    const bucket = new TokenBucket(2, 20);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(bucket.take()).toBe(true);
  });
});
