/**
 * Bad input, a few thousand times: fast-check builds malformed requests for every route in ROUTES and the answer must
 * always be a 4xx the route declares, with exactly `{"error":{"code","message"[,"details"]}}`, and the table must be
 * the same afterwards, item for item.
 *
 * Every request starts from a valid one and breaks at least one thing (a path parameter, the query, the body, its
 * content type, the Idempotency-Key), and each break is checked against the route's own zod schema, so the generator
 * cannot produce a valid request by accident. Parts that a route ignores (a body on a GET) are only added as noise
 * next to a real break, or to an id nobody has (404).
 *
 * Its own runtime: the API's stage throttle (100 requests/s, one bucket for every route) would make the shared
 * runtime answer 429 to the other e2e files while this one runs, and a private table makes "nothing was written"
 * exact instead of a guess about which items the fuzzer could have touched. Requests are paced under the throttle;
 * a 429 from the gateway (not from a route) is waited out and retried.
 *
 * FUZZ_SEED and FUZZ_SCALE (default 1 ≈ 2,300 requests) make a run reproducible or longer.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { type AttributeValue, DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import type { z } from 'zod';
import { ROUTES, type RouteDefinition } from '../../functions/http-api';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import { waitFor } from './client';

jest.setTimeout(240_000);

const SCALE = Number(process.env.FUZZ_SCALE ?? '1');
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
/** Runs per route: routes with a body have more ways to be wrong. */
const runsFor = (route: RouteDefinition) => Math.max(1, Math.round((route.request.body ? 380 : 150) * SCALE));

// ----- the runtime, its table, and what was seeded ------------------------------------------------------------

let runtime: LocalRuntime;
const errorLines: string[] = [];
const tag = randomBytes(3).toString('hex').toUpperCase();
const seeded = { sku: `FUZZ-${tag}`, customerId: `fuzz-${tag.toLowerCase()}`, orderId: '' };
/** Valid ids nobody has: a GET answers 404. */
const unknown = {
  sku: `FUZZ-${tag}-NOBODY`,
  customerId: `nobody-${tag.toLowerCase()}`,
  orderId: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
};

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${runtime.apiUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

type Snapshot = Map<string, string>;

/** Every item of the table, read consistently from DynamoDB Local (not through the runtime's counting proxy). */
async function snapshot(): Promise<Snapshot> {
  const client = new DynamoDBClient({
    endpoint: runtime.dynamodbLocalEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const items: Snapshot = new Map();
  try {
    for (const tableName of Object.values(runtime.tables)) {
      for await (const page of paginateScan({ client }, { TableName: tableName, ConsistentRead: true })) {
        for (const item of page.Items ?? []) items.set(`${tableName} ${keyOf(item)}`, canonical(item));
      }
    }
  } finally {
    client.destroy();
  }
  return items;
}

const keyOf = (item: Record<string, AttributeValue>) => `${item.pk?.S ?? '?'} | ${item.sk?.S ?? '?'}`;
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );

function diff(before: Snapshot, after: Snapshot): string[] {
  const changes: string[] = [];
  for (const [key, value] of after) {
    if (!before.has(key)) changes.push(`added   ${key}: ${value.slice(0, 300)}`);
    else if (before.get(key) !== value) changes.push(`changed ${key}: ${value.slice(0, 300)}`);
  }
  for (const key of before.keys()) if (!after.has(key)) changes.push(`removed ${key}`);
  return changes;
}

// ----- sending raw requests ---------------------------------------------------------------------------------------

interface FuzzRequest {
  readonly method: string;
  /** The raw path as sent on the request line (already encoded, `..` kept as is). */
  readonly path: string;
  /** The raw query string, without `?`. */
  readonly query: string | undefined;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: string | undefined;
  /** What was broken, for the failure message. */
  readonly broken: readonly string[];
}

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const stats = { requests: 0, throttled: 0, statuses: new Map<number, number>() };

/** Paces requests under the API's stage throttle (100/s, burst 200), shared by all routes. */
const pacer = { tokens: 60, last: Date.now() };
async function pace(): Promise<void> {
  for (;;) {
    const now = Date.now();
    pacer.tokens = Math.min(60, pacer.tokens + ((now - pacer.last) / 1000) * 90);
    pacer.last = now;
    if (pacer.tokens >= 1) {
      pacer.tokens -= 1;
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.ceil(((1 - pacer.tokens) / 90) * 1000)));
  }
}

function sendOnce(request: FuzzRequest): Promise<Answer> {
  const base = new URL(runtime.apiUrl);
  const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        method: request.method,
        path: request.query === undefined ? request.path : `${request.path}?${request.query}`,
        headers: { ...request.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A 429 from the gateway's throttle is not the route's answer: wait it out (with a deadline) and send again. */
async function send(request: FuzzRequest): Promise<Answer> {
  const deadline = Date.now() + 20_000;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    await pace();
    stats.requests++;
    const answer = await sendOnce(request);
    if (answer.status !== 429 || Date.now() > deadline) {
      stats.statuses.set(answer.status, (stats.statuses.get(answer.status) ?? 0) + 1);
      return answer;
    }
    stats.throttled++;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

// ----- what a valid request looks like, per route -------------------------------------------------------------------

const parameterNames = (route: RouteDefinition) => [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');

/** Routes whose only input is an id: with a valid id nobody has they answer 404, whatever else is sent. */
const answers404ForUnknownIds = (route: RouteDefinition) =>
  parameterNames(route).length > 0 &&
  !route.request.query &&
  !route.request.body &&
  !route.path.startsWith('/customers/');

function validParams(route: RouteDefinition, which: 'seeded' | 'unknown'): Record<string, string> {
  const ids = which === 'seeded' ? seeded : unknown;
  return Object.fromEntries(
    parameterNames(route).map((name) => [name, ids[name as keyof typeof ids] ?? `no-value-for-${name}`]),
  );
}

function validBody(route: RouteDefinition): Record<string, unknown> | undefined {
  switch (route.id) {
    case 'CreateProduct':
      // A sku nobody has: sent valid, this would create it; it is only ever sent broken.
      return { sku: `FUZZ-${tag}-NEW`, name: 'Fuzzed product', priceCents: 1999, currency: 'EUR', description: 'x' };
    case 'Restock':
      return { quantity: 5 };
    case 'PlaceOrder':
      return { customerId: seeded.customerId, items: [{ sku: seeded.sku, quantity: 1 }], paymentToken: 'tok_visa' };
    default:
      return route.request.body ? {} : undefined;
  }
}

const fails = (schema: z.ZodType | undefined, value: unknown) =>
  schema !== undefined && !schema.safeParse(value).success;

// ----- the breaks -------------------------------------------------------------------------------------------------

const huge = (min: number, max: number) =>
  fc.tuple(fc.integer({ min, max }), fc.constantFrom('A', 'é', '💥', '0', ' ')).map(([n, c]) => c.repeat(n));

/** Odd values for a path parameter (decoded), each checked against the route's schema before use. */
const oddParameter = fc.oneof(
  fc.constantFrom(
    '..',
    '.',
    '/',
    'a/b',
    '../../etc/passwd',
    '%',
    '%2F',
    '%252F',
    '\u0000',
    ' ',
    'DROP TABLE',
    "' OR 1=1 --",
    '<script>',
    '$' + '{jndi:ldap://x}', // a Log4Shell probe, spelled so it is not mistaken for a template
    'ORDER#X',
    'CATALOG',
    'ÄÖÜ',
    '💥',
    '\u202e',
    'null',
  ),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
  fc.stringMatching(/^[a-z0-9-]{3,20}$/),
  // Long, but with the request line under the HTTP server's 16 KB header limit even fully percent-encoded.
  huge(65, 600),
);

/** How a decoded value goes on the wire: encoded, or (where it is still one segment) raw or badly encoded. */
const onTheWire = (value: string) =>
  fc.constantFrom<'encoded' | 'raw' | 'broken'>('encoded', 'raw', 'broken').map((how) => {
    if (how === 'raw' && /^[A-Za-z0-9._~!$&'()*+,;=:@-]+$/.test(value)) return { wire: value, decoded: value };
    if (how === 'broken') return { wire: `${encodeURIComponent(value)}%E0%A4%A`, decoded: `${value}%E0%A4%A` };
    return { wire: encodeURIComponent(value), decoded: value };
  });

const oddLimit = fc.oneof(
  fc.constantFrom(
    '0',
    '-1',
    '101',
    '1.5',
    'NaN',
    'Infinity',
    '-Infinity',
    '',
    ' ',
    'abc',
    '1e309',
    '99999999999999999999',
    '5,6',
    'null',
    'true',
    '[]',
    '{}',
    '--1',
    '١٠',
    '%ZZ',
  ),
  fc.integer({ min: 101 }).map(String),
  fc.integer({ max: 0 }).map(String),
  fc.double().map(String),
  fc.string({ maxLength: 12 }),
);

/** Cursors this API never returned: garbage, or a key shaped almost like one (a key too few or too many, numbers). */
function oddCursor(route: RouteDefinition, customerId: string): fc.Arbitrary<string> {
  const [partitionKey, partition, keyNames] =
    route.id === 'ListProducts'
      ? ['gsi1pk', 'CATALOG', ['pk', 'sk', 'gsi1pk', 'gsi1sk']]
      : ['pk', `CUSTOMER#${customerId}`, ['pk', 'sk']];
  const encode = (key: unknown) => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
  // One defect each, so most of them get past the partition check to where the key shape matters.
  const nearKey = fc
    .tuple(
      fc.constantFrom('drop', 'extra', 'drop-and-extra', 'number', 'other-partition'),
      fc.subarray(
        keyNames.filter((k) => k !== partitionKey),
        { minLength: 1 },
      ),
      fc.constantFrom('zz', 'ttl', '__proto__', 'entity'),
    )
    .map(([defect, drop, extra]) => {
      const key: Record<string, unknown> = Object.fromEntries(keyNames.map((k) => [k, `${k}-value`]));
      key[partitionKey] = defect === 'other-partition' ? 'CUSTOMER#someone-else' : partition;
      if (defect === 'drop' || defect === 'drop-and-extra') for (const k of drop) delete key[k];
      // An own property even for '__proto__' (plain assignment would set the prototype and add nothing).
      if (defect === 'extra' || defect === 'drop-and-extra') {
        Object.defineProperty(key, extra, { value: 'x', enumerable: true, configurable: true, writable: true });
      }
      if (defect === 'number') key.sk = 42;
      return encode(key);
    });
  return fc.oneof(
    { arbitrary: nearKey, weight: 3 },
    fc.constantFrom('', 'e30', encode([]), encode(null), encode('CATALOG'), encode({})),
    fc.string({ minLength: 1, maxLength: 60 }),
    fc.base64String({ minLength: 4, maxLength: 80 }),
    // Over the schema's 1,024 characters; ASCII so the request line stays under the HTTP server's 16 KB limit.
    fc.integer({ min: 1025, max: 3000 }).map((n) => 'A'.repeat(n)),
  );
}

/** A JSON value of the wrong kind for most fields. */
const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    -0.0001,
    0.5,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    'NaN',
    'Infinity',
    '',
    ' ',
    '1',
    [],
    {},
  ),
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  huge(201, 20_000),
);

/**
 * Nested arrays or objects as JSON text, deep enough to hurt a naive validator and small enough to stay under 32 KB.
 * Text, not values: building and stringifying a value that deep would overflow this test's own stack.
 */
const deepNesting = fc
  .tuple(fc.integer({ min: 50, max: 3000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );

/** Paths to the leaves and inner nodes of a value (`items.0.sku`), to mutate one of them. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...pathsOf(v, [...prefix, i])]);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
  }
  return [];
}

function setAt(value: unknown, path: readonly (string | number)[], replacement: unknown, remove = false): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  const last = path[path.length - 1] ?? '';
  if (remove) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = replacement;
  return copy;
}

interface BodyBreak {
  readonly text: string;
  readonly broken: string;
}

/** Breaks a valid body; the result is checked against the schema so it can never be valid. */
function brokenBody(route: RouteDefinition, valid: Record<string, unknown>): fc.Arbitrary<BodyBreak> {
  const schema = route.request.body;
  const json = JSON.stringify(valid);
  const paths = pathsOf(valid);
  const invalidJson = fc
    .oneof(
      fc.integer({ min: 1, max: json.length - 1 }).map((n) => json.slice(0, n)),
      fc.constantFrom(
        `${json.slice(0, -1)},}`,
        json.replace(/"/g, "'"),
        json.replace(/:(\d+)/, ':NaN'),
        json.replace(/:(\d+)/, ':Infinity'),
        `/* c */${json}`,
        `\uFEFF${json}`,
        `${json}${json}`,
        '{',
        'undefined',
        '{"a":}',
        `{${'"a":1,'.repeat(3)}}`,
      ),
      fc.string({ minLength: 1, maxLength: 100 }),
    )
    .filter((text) => {
      try {
        JSON.parse(text);
        return false;
      } catch {
        return text.trim() !== '';
      }
    })
    .map((text) => ({ text, broken: 'body: invalid JSON' }));
  const mutated = fc
    .oneof(
      fc
        .tuple(fc.constantFrom(...paths), weirdValue)
        .map(([path, value]) => ({ body: setAt(valid, path, value), broken: `body: ${path.join('.')} replaced` })),
      fc
        .constantFrom(...paths)
        .map((path) => ({ body: setAt(valid, path, undefined, true), broken: `body: ${path.join('.')} missing` })),
      fc
        .tuple(fc.constantFrom('__proto__', 'constructor', 'admin', 'sku ', 'Quantity', 'extra'), weirdValue)
        .map(([key, value]) => ({ body: { ...valid, [key]: value }, broken: `body: unknown field ${key}` })),
      fc
        .constantFrom<unknown>([valid], [], 'a string', 42, null, true, [[valid]])
        .map((body) => ({ body, broken: 'body: not an object' })),
    )
    .map(({ body, broken }) => ({ value: JSON.parse(JSON.stringify(body) ?? 'null') as unknown, broken }))
    .filter(({ value }) => fails(schema, value))
    .map(({ value, broken }) => ({ text: JSON.stringify(value), broken }));
  // Duplicate keys: JSON.parse keeps the last one, so the last one is the broken one.
  const duplicateKey = fc
    .tuple(fc.constantFrom(...Object.keys(valid)), weirdValue)
    .filter(([key, value]) => fails(schema, { ...valid, [key]: value }))
    .map(([key, value]) => ({
      text: `${json.slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(value)}}`,
      broken: `body: duplicate ${key}, the last one wrong`,
    }));
  // No field of any body takes nested arrays or objects of anything but its own lines, so a deep value never fits.
  const deep = fc.tuple(fc.constantFrom(...Object.keys(valid), '(root)'), deepNesting).map(([key, nested]) => ({
    text:
      key === '(root)' ? nested : JSON.stringify({ ...valid, [key]: 0 }).replace(`"${key}":0`, `"${key}":${nested}`),
    broken: `body: ${key} nested ${nested.length / 2} deep`,
  }));
  const tooLarge = huge(33 * 1024, 120 * 1024).map((filler) => ({
    text: JSON.stringify({ ...valid, [Object.keys(valid)[0] ?? 'x']: filler }),
    broken: 'body: over 32 KB',
  }));
  const empty = fc.constantFrom('', ' ', '\n\t').map((text) => ({ text, broken: 'body: empty' }));
  return fc.oneof(
    { arbitrary: invalidJson, weight: 3 },
    { arbitrary: mutated, weight: 6 },
    { arbitrary: duplicateKey, weight: 1 },
    { arbitrary: deep, weight: 1 },
    { arbitrary: tooLarge, weight: 1 },
    { arbitrary: empty, weight: 1 },
  );
}

const wrongContentType = fc.constantFrom(
  'text/plain',
  'text/html',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'image/png',
  'json',
  'application/jsonp',
  'application/json5',
  '',
);

const badIdempotencyKey = fc
  .oneof(
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 60 }),
    fc.constantFrom('key with spaces', 'a/b', 'ключ', '#', 'a'.repeat(129), 'x'.repeat(4000), 'k\u00e9y'),
  )
  // Header values are ASCII here (node refuses control characters); surrounding whitespace is trimmed on the way.
  .map((key) => key.replace(/[^\x20-\x7e]/g, '?'))
  .filter((key) => key.trim() !== '' && !/^[A-Za-z0-9._:-]{1,128}$/.test(key.trim()));

/** Noise for parts a route ignores: a body and a content type on a GET or on the cancel route. */
const noise = fc.record({
  body: fc.option(
    fc.oneof(
      fc.string({ maxLength: 50 }),
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
    ),
    {
      nil: undefined,
    },
  ),
  contentType: fc.option(fc.oneof(wrongContentType, fc.constant('application/json')), { nil: undefined }),
  idempotencyKey: fc.option(badIdempotencyKey, { nil: undefined }),
});

// ----- one malformed request per route --------------------------------------------------------------------------

type Break = 'path' | 'query' | 'body' | 'content-type' | 'idempotency-key' | 'unknown-id';

function breaksOf(route: RouteDefinition): Break[] {
  const breaks: Break[] = [];
  if (parameterNames(route).length) breaks.push('path');
  if (route.request.query) breaks.push('query');
  if (route.request.body) breaks.push('body', 'content-type');
  if (route.request.headers) breaks.push('idempotency-key');
  if (answers404ForUnknownIds(route)) breaks.push('unknown-id');
  return breaks;
}

function malformed(route: RouteDefinition): fc.Arbitrary<FuzzRequest> {
  const names = parameterNames(route);
  const valid = validBody(route);
  return fc
    .record({
      // At least one break; sometimes several.
      breaks: fc.subarray(breaksOf(route), { minLength: 1 }),
      // Valid ids for the parts not broken: a GET may read what was seeded; a write route never gets a valid request.
      ids: fc.constantFrom<'seeded' | 'unknown'>('seeded', 'unknown'),
      brokenParam: fc.constantFrom(...(names.length ? names : ['-'])),
      param: oddParameter.chain(onTheWire),
      // A bad limit, a bad cursor, or both: a bad limit alone would hide every cursor behind its 400.
      queryBreak: fc.constantFrom<'limit' | 'cursor' | 'both'>('limit', 'cursor', 'both'),
      limit: oddLimit,
      goodLimit: fc.option(fc.integer({ min: 1, max: 100 }).map(String), { nil: undefined }),
      cursor: oddCursor(route, seeded.customerId),
      extraQuery: fc.option(fc.constantFrom('foo=bar', 'limit[]=1', '=', '&&', 'cursor', 'a=%ZZ'), { nil: undefined }),
      body: valid ? brokenBody(route, valid) : fc.constant(undefined),
      contentType: wrongContentType,
      idempotencyKey: badIdempotencyKey,
      duplicateKeyHeader: fc.boolean(),
      noise,
    })
    .filter(({ breaks, brokenParam, param, queryBreak, limit }) => {
      // Each declared break must really be invalid for the route's schema.
      if (
        breaks.includes('path') &&
        !fails(route.request.params, { ...validParams(route, 'seeded'), [brokenParam]: param.decoded })
      )
        return false;
      // A bad limit must really be bad (every generated cursor is one this API never returned).
      if (breaks.includes('query') && queryBreak !== 'cursor' && !fails(route.request.query, { limit })) return false;
      return true;
    })
    .map((g): FuzzRequest => {
      const broken: string[] = [];
      const unknownId = g.breaks.includes('unknown-id');
      const params = validParams(route, unknownId || route.method === 'POST' ? 'unknown' : g.ids);
      // Restock and place order only ever get the seeded sku: that request is then broken elsewhere.
      if (route.id === 'Restock') params.sku = seeded.sku;
      const wire: Record<string, string> = Object.fromEntries(
        Object.entries(params).map(([k, v]) => [k, encodeURIComponent(v)]),
      );
      if (g.breaks.includes('path')) {
        wire[g.brokenParam] = g.param.wire;
        broken.push(`path: ${g.brokenParam}=${g.param.wire.slice(0, 80)}`);
      }
      if (unknownId) broken.push('unknown id (404)');
      const path = route.path.replace(/\{([^}]+)\}/g, (_m, name: string) => wire[name] ?? '');

      let query: string | undefined;
      if (g.breaks.includes('query')) {
        const parts: string[] = [];
        const limit = g.queryBreak === 'cursor' ? g.goodLimit : g.limit;
        if (limit !== undefined) parts.push(`limit=${limit === '%ZZ' ? limit : encodeURIComponent(limit)}`);
        if (g.queryBreak !== 'limit') parts.push(`cursor=${encodeURIComponent(g.cursor)}`);
        if (g.extraQuery) parts.push(g.extraQuery);
        query = parts.join('&');
        broken.push(`query: ${query.slice(0, 120)}`);
      }

      const headers: Record<string, string | readonly string[]> = {};
      let body: string | undefined;
      if (valid) {
        body = JSON.stringify(valid);
        headers['content-type'] = 'application/json';
        if (g.breaks.includes('body') && g.body) {
          body = g.body.text;
          broken.push(`${g.body.broken}: ${g.body.text.slice(0, 120)}`);
        }
        if (g.breaks.includes('content-type')) {
          headers['content-type'] = g.contentType;
          broken.push(`content-type: '${g.contentType}'`);
        }
        if (g.breaks.includes('idempotency-key')) {
          headers['idempotency-key'] = g.duplicateKeyHeader ? [g.idempotencyKey, 'second-key'] : g.idempotencyKey;
          broken.push(`idempotency-key: '${g.idempotencyKey.slice(0, 60)}'${g.duplicateKeyHeader ? ' (twice)' : ''}`);
        }
      } else {
        // Noise only: this route reads no body and no header, and the request is invalid for another reason.
        if (g.noise.body !== undefined) body = g.noise.body;
        if (g.noise.contentType !== undefined) headers['content-type'] = g.noise.contentType;
        if (g.noise.idempotencyKey !== undefined) headers['idempotency-key'] = g.noise.idempotencyKey;
      }
      const request = { method: route.method, path, query, headers, body, broken };
      // fast-check prints counterexamples with this: the request line and what was broken, clipped.
      return Object.assign(request, { [fc.toStringMethod]: () => describeRequest(request) });
    });
}

function describeRequest(request: FuzzRequest): string {
  const query = request.query === undefined ? '' : `?${request.query.slice(0, 200)}`;
  return `${request.method} ${request.path.slice(0, 200)}${query} [${request.broken.join('; ')}]`;
}

// ----- the checks ---------------------------------------------------------------------------------------------------

function checkAnswer(route: RouteDefinition, request: FuzzRequest, answer: Answer): void {
  const context = () =>
    [
      `${route.method} ${route.path} answered ${answer.status}: ${answer.text.slice(0, 400)}`,
      `request: ${request.method} ${request.path.slice(0, 200)}${request.query === undefined ? '' : `?${request.query.slice(0, 200)}`}`,
      `broken: ${request.broken.join('; ')}`,
      `headers: ${JSON.stringify(request.headers).slice(0, 300)}`,
      `body: ${(request.body ?? '(none)').slice(0, 300)}`,
      ...(answer.status >= 500 ? ['function errors:', ...errorLines.slice(-2).map((l) => l.slice(0, 700))] : []),
    ].join('\n');
  if (answer.status < 400 || answer.status >= 500 || !(route.errors as readonly number[]).includes(answer.status)) {
    throw new Error(`not one of the route's 4xx (${route.errors.join(', ')}):\n${context()}`);
  }
  if (!answer.contentType.startsWith('application/json')) throw new Error(`not JSON:\n${context()}`);
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    throw new Error(`a body that is not JSON:\n${context()}`);
  }
  const error = (body as { error?: Record<string, unknown> } | null)?.error;
  const shaped =
    body !== null &&
    typeof body === 'object' &&
    Object.keys(body).join() === 'error' &&
    error !== undefined &&
    typeof error.code === 'string' &&
    error.code !== '' &&
    typeof error.message === 'string' &&
    error.message !== '' &&
    Object.keys(error).every((k) => k === 'code' || k === 'message' || k === 'details');
  if (!shaped) throw new Error(`not {"error":{"code","message"}}:\n${context()}`);
}

// ----- the test -----------------------------------------------------------------------------------------------------

beforeAll(async () => {
  runtime = await startLocalRuntime({
    port: 0,
    // The suite's global setup synthesized cdk.out just now; a second synth here could race it.
    synth: 'never',
    // Kept for the failure message: the stack of a 5xx is in the function's log.
    logs: (line) => {
      if (line.level === 'ERROR') errorLines.push(JSON.stringify(line).slice(0, 1500));
      if (errorLines.length > 50) errorLines.shift();
    },
  });
  // Something for the GET routes to find: a product with stock, a confirmed order, its notification.
  await api('POST', '/products', { sku: seeded.sku, name: 'Fuzz seed', priceCents: 1000, currency: 'EUR' });
  await api('POST', `/inventory/${seeded.sku}/restock`, { quantity: 50 });
  const placed = await api<{ orderId: string }>('POST', '/orders', {
    customerId: seeded.customerId,
    items: [{ sku: seeded.sku, quantity: 1 }],
    paymentToken: 'tok_visa',
  });
  seeded.orderId = placed.body.orderId;
  await waitFor(
    'the seeded order to be confirmed, projected and notified',
    async () => {
      const orders = await api<{ items: { status: string }[] }>('GET', `/customers/${seeded.customerId}/orders`);
      const notes = await api<{ items: unknown[] }>('GET', `/customers/${seeded.customerId}/notifications`);
      return orders.body.items[0]?.status === 'CONFIRMED' && notes.body.items.length > 0 ? true : undefined;
    },
    90_000,
  );
}, 180_000);

afterAll(async () => {
  agent.destroy();
  await runtime?.stop();
});

/** Found by this fuzzer: cursors shaped almost like a key reached DynamoDB, whose ValidationException was a 500. */
describe('cursors this API never returned are 400s, not 500s', () => {
  const encode = (key: unknown) => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
  it.each([
    ['/products', { pk: 'pk-value', sk: 'sk-value', gsi1pk: 'CATALOG' }], // the fuzzer's shrunk counterexample
    ['/products', { pk: 'p', sk: 's', gsi1pk: 'CATALOG', gsi1sk: 'x', zz: 'x' }],
    ['/customers/{customerId}/orders', { pk: 'CUSTOMER#{customerId}' }],
    ['/customers/{customerId}/notifications', { pk: 'CUSTOMER#{customerId}', sk: 'NOTIFICATION#x', ttl: 'x' }],
  ])('GET %s?cursor=%j', async (path, key) => {
    const fill = (text: string) => text.replace('{customerId}', seeded.customerId);
    const cursor = encode(JSON.parse(fill(JSON.stringify(key))));
    const answer = await api<{ error: { code: string } }>('GET', `${fill(path)}?cursor=${cursor}`);
    expect(answer).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
  });
});

it('answers every malformed request with a declared 4xx and the error shape, and writes nothing', async () => {
  // The seeded order's saga and consumers leave writes behind for a moment: wait until the table is still.
  let previous = await snapshot();
  const before = await waitFor(
    'the table to be quiet',
    async () => {
      const current = await snapshot();
      const quiet = diff(previous, current).length === 0;
      previous = current;
      return quiet ? current : undefined;
    },
    60_000,
  );

  const started = Date.now();
  const perRoute: string[] = [];
  for (const route of ROUTES) {
    const sentBefore = stats.requests;
    await fc.assert(
      fc.asyncProperty(malformed(route), async (request) => {
        checkAnswer(route, request, await send(request));
      }),
      { numRuns: runsFor(route), seed: SEED, endOnFailure: false },
    );
    perRoute.push(`${route.method} ${route.path}: ${stats.requests - sentBefore}`);
  }
  const seconds = (Date.now() - started) / 1000;
  const statuses = [...stats.statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}: ${n}`);
  process.stdout.write(
    `fuzz: ${stats.requests} requests in ${seconds.toFixed(1)} s (${stats.throttled} throttled and resent)\n  ${perRoute.join('\n  ')}\n  answers: ${statuses.join(', ')}\n`,
  );
  expect(stats.requests).toBeGreaterThanOrEqual(2000 * SCALE);
  // The breaks reach every kind of check: validation, unknown ids, the size limit, the media type.
  expect([...stats.statuses.keys()].sort()).toEqual(expect.arrayContaining([400, 404, 413, 415]));

  expect(diff(before, await snapshot())).toEqual([]);
});
