/**
 * The HTTP API of the fixture template served locally: payload 2.0 shapes, response mapping, errors,
 * throttling, and the Lambda execution environments behind it (isolation, one invocation at a time, timeout).
 */
import { request } from 'node:http';
import type { LocalRuntime } from '../../../local/runtime';
import { type FixtureRuntime, startFixtureRuntime, waitFor } from './fixture';

let fixture: FixtureRuntime;
let runtime: LocalRuntime;

beforeAll(async () => {
  fixture = await startFixtureRuntime({ workerPoolSize: 3 });
  runtime = fixture.runtime;
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

interface EchoBody {
  event: Record<string, unknown> & { requestContext: Record<string, unknown>; headers: Record<string, string> };
  env: Record<string, string | undefined>;
  worker: { threadId: number; invocations: number; maxInFlight: number };
  context: Record<string, unknown>;
}

/** A raw request, so that duplicate headers and cookies reach the server as written. */
function raw(path: string, init: { method?: string; headers?: [string, string][]; body?: Buffer | string } = {}) {
  const url = new URL(path, runtime.apiUrl);
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>(
    (resolve, reject) => {
      const flat: string[] = ['Host', url.host];
      for (const [k, v] of init.headers ?? []) flat.push(k, v);
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method: init.method ?? 'GET',
          headers: flat,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        },
      );
      req.on('error', reject);
      req.end(init.body);
    },
  );
}

describe('local runtime: health', () => {
  it('reports ok with the resource counts once ready', async () => {
    const res = await fetch(`${runtime.apiUrl}/_local/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; counts: Record<string, number> };
    expect(body.status).toBe('ok');
    expect(body.counts).toMatchObject({ functions: 6, routes: 7, rules: 4, stateMachines: 2, tables: 1 });
  });
});

describe('local runtime: HTTP API payload format 2.0', () => {
  it('builds the event API Gateway sends: headers, cookies, query, path, request context', async () => {
    const res = await raw('/echo/a%20b/c%2Fd?x=1&x=2&y=%C3%A9', {
      method: 'POST',
      headers: [
        ['X-Custom', 'one'],
        ['x-custom', 'two'],
        ['Cookie', 'a=1; b=2'],
        ['Content-Type', 'application/json'],
        ['User-Agent', 'jest-test'],
      ],
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(res.status).toBe(200);
    const { event } = JSON.parse(res.body.toString()) as EchoBody;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'ANY /echo/{proxy+}',
      rawPath: '/echo/a%20b/c%2Fd',
      rawQueryString: 'x=1&x=2&y=%C3%A9',
      cookies: ['a=1', 'b=2'],
      queryStringParameters: { x: '1,2', y: 'é' },
      pathParameters: { proxy: 'a b/c/d' },
      body: '{"hello":"world"}',
      isBase64Encoded: false,
    });
    expect(event.headers['x-custom']).toBe('one,two');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.headers['content-type']).toBe('application/json');
    expect(event.requestContext).toMatchObject({
      accountId: '000000000000',
      stage: '$default',
      routeKey: 'ANY /echo/{proxy+}',
      http: {
        method: 'POST',
        path: '/echo/a%20b/c%2Fd',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'jest-test',
      },
    });
    expect(typeof event.requestContext.requestId).toBe('string');
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(typeof event.requestContext.timeEpoch).toBe('number');
    expect(event.requestContext.apiId).toMatch(/^[a-z0-9]{10}$/);
  });

  it('sends binary bodies base64-encoded and leaves optional fields out', async () => {
    const res = await raw('/echo/bin', {
      method: 'PUT',
      headers: [['content-type', 'application/octet-stream']],
      body: Buffer.from([0, 255, 1]),
    });
    const { event } = JSON.parse(res.body.toString()) as EchoBody;
    expect(event.isBase64Encoded).toBe(true);
    expect(event.body).toBe(Buffer.from([0, 255, 1]).toString('base64'));
    const plain = JSON.parse((await raw('/whoami/echo')).body.toString()) as EchoBody;
    expect(plain.event.body).toBeUndefined();
    expect(plain.event.queryStringParameters).toBeUndefined();
    expect(plain.event.pathParameters).toBeUndefined();
    expect(plain.event.cookies).toBeUndefined();
  });

  it('maps the result as API Gateway does for 2.0', async () => {
    const full = await raw('/echo/x?status=201');
    expect(full.status).toBe(201);
    expect(full.headers['x-echo']).toBe('yes');
    expect(full.headers['set-cookie']).toEqual(['session=abc; Path=/', 'theme=dark']);

    const text = await raw('/echo/x?raw=hello');
    expect(text.status).toBe(200);
    expect(text.headers['content-type']).toBe('application/json');
    expect(text.body.toString()).toBe('hello');

    const object = await raw('/echo/x?object=1');
    expect(object.status).toBe(200);
    expect(JSON.parse(object.body.toString())).toEqual({ plain: true });

    const binary = await raw('/echo/x?binary=1');
    expect([...binary.body]).toEqual([0, 1, 2, 255]);
  });

  it('answers 500 for a function error, 404 for no route, 413 for a body over 10 MB', async () => {
    const failed = await raw('/echo/x?throw=BoomError');
    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.body.toString())).toEqual({ message: 'Internal Server Error' });
    await waitFor(
      () => fixture.logs.find((l) => l.level === 'ERROR' && l.errorType === 'BoomError'),
      'the error log line',
    );

    const missing = await raw('/nothing/here');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body.toString())).toEqual({ message: 'Not Found' });
    expect((await raw('/items', { method: 'GET' })).status).toBe(404);

    const big = await raw('/echo/big', { method: 'POST', body: Buffer.alloc(10 * 1024 * 1024 + 1, 97) });
    expect(big.status).toBe(413);
  });

  it('throttles a route with its RouteSettings (token bucket) and answers 429', async () => {
    const statuses = await Promise.all(Array.from({ length: 6 }, () => raw('/limited').then((r) => r.status)));
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(3);
    expect(statuses).toContain(429);
    const limited = await raw('/limited');
    if (limited.status === 429) expect(JSON.parse(limited.body.toString())).toEqual({ message: 'Too Many Requests' });
  });

  it('keeps /_local for the runtime', async () => {
    const res = await raw('/_local/nope');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body.toString()).message).toMatch(/Unknown local endpoint/);
  });
});

describe('local runtime: Lambda execution environments', () => {
  it('gives each function its own environment and module state', async () => {
    const echo = JSON.parse((await raw('/whoami/echo')).body.toString()) as EchoBody;
    const items = JSON.parse((await raw('/whoami/items')).body.toString()) as { env: Record<string, string> };
    expect(echo.env.FIXTURE_NAME).toBe('echo');
    expect(items.env.FIXTURE_NAME).toBe('items');
    expect(echo.env.SHARED).toBe('from-echo');
    expect(items.env.SHARED).toBe('from-items');
    expect(echo.env.TABLE_NAME).toBe(runtime.tables.TableCD117FA1);
    expect(echo.env.BUS_NAME).toBe('fixture-bus');
    expect(echo.env).toMatchObject({
      AWS_LAMBDA_FUNCTION_NAME: runtime.functions.Echo11F3FB29,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${runtime.functions.Echo11F3FB29}`,
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      _HANDLER: 'index.handler',
      TZ: 'UTC',
      AWS_ENDPOINT_URL_DYNAMODB: runtime.dynamodbEndpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: runtime.servicesEndpoint,
      AWS_ENDPOINT_URL_SFN: runtime.servicesEndpoint,
      AWS_ENDPOINT_URL_SQS: runtime.servicesEndpoint,
      AWS_ENDPOINT_URL_LAMBDA: runtime.servicesEndpoint,
      POWERTOOLS_TRACE_ENABLED: 'false',
    });
    expect(echo.env.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(echo.env.LAMBDA_TASK_ROOT).toMatch(/asset\.[0-9a-f]+$/);
    expect(echo.env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(echo.context).toMatchObject({
      functionName: runtime.functions.Echo11F3FB29,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${runtime.functions.Echo11F3FB29}`,
      memoryLimitInMB: '256',
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(echo.context.remaining).toBeGreaterThan(9_000);
    expect(echo.context.remaining).toBeLessThanOrEqual(10_000);
  });

  it('runs one invocation at a time per worker and grows the pool up to its cap', async () => {
    await runtime.recycleWorkers(runtime.functions.Echo11F3FB29);
    const bodies = await Promise.all(
      Array.from({ length: 6 }, () =>
        raw('/echo/slow?sleep=300').then((r) => JSON.parse(r.body.toString()) as EchoBody),
      ),
    );
    for (const body of bodies) expect(body.worker.maxInFlight).toBe(1);
    const threads = new Set(bodies.map((b) => b.worker.threadId));
    expect(threads.size).toBeGreaterThan(1);
    expect(threads.size).toBeLessThanOrEqual(3);
    const metrics = runtime.metrics().lambda[runtime.functions.Echo11F3FB29 ?? ''];
    expect(metrics?.coldStarts).toBeGreaterThanOrEqual(threads.size);
    expect(metrics?.coldStartSamples[0]?.loadMs).toBeGreaterThan(0);
  });

  it('enforces the configured timeout by ending the worker', async () => {
    const res = await raw('/sleepy?sleep=3000');
    expect(res.status).toBe(500);
    const line = await waitFor(
      () => fixture.logs.find((l) => l.fn === runtime.functions.Sleepy3B0F1276 && l.errorType === 'Sandbox.Timedout'),
      'the timeout log',
    );
    expect(line.errorMessage).toBe('Task timed out after 1.00 seconds');
    // The next invocation gets a fresh (cold) environment and works.
    const again = await raw('/sleepy?sleep=10');
    expect(again.status).toBe(200);
    expect(runtime.metrics().lambda[runtime.functions.Sleepy3B0F1276 ?? '']?.timeouts).toBe(1);
  });

  it('tags every function log line with the function name', async () => {
    await raw('/echo/x?log=1');
    const structured = await waitFor(
      () => fixture.logs.find((l) => l.message === 'structured line'),
      'the JSON log line',
    );
    expect(structured).toMatchObject({ fn: runtime.functions.Echo11F3FB29, level: 'INFO' });
    const plain = await waitFor(
      () => fixture.logs.find((l) => l.message === 'a plain stderr line'),
      'the plain log line',
    );
    expect(plain.fn).toBe(runtime.functions.Echo11F3FB29);
    const powertools = await waitFor(
      () => fixture.logs.find((l) => l.fn === runtime.functions.Items5C12978B && l.service === 'items'),
      'a Powertools line',
      5_000,
    ).catch(async () => {
      await raw('/whoami/items');
      return waitFor(
        () => fixture.logs.find((l) => l.fn === runtime.functions.Items5C12978B && l.service === 'items'),
        'a Powertools line',
      );
    });
    expect(powertools.level).toBe('INFO');
  });

  it('serves the items routes with DynamoDB behind them', async () => {
    const created = await raw('/items', {
      method: 'POST',
      headers: [['content-type', 'application/json']],
      body: JSON.stringify({ id: 'h1', name: 'Hat' }),
    });
    expect(created.status).toBe(201);
    const got = await raw('/items/h1');
    expect(JSON.parse(got.body.toString())).toEqual({ id: 'h1', name: 'Hat' });
    const missing = await raw('/items/nope');
    expect(missing.status).toBe(404);
    const metrics = runtime.metrics();
    expect(metrics.dynamodb.requests.TransactWriteItems).toBeGreaterThanOrEqual(1);
    expect(metrics.dynamodb.writeItems).toBeGreaterThanOrEqual(2);
    expect(metrics.dynamodb.readItems).toBeGreaterThanOrEqual(2);
  });
});
