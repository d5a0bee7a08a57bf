/**
 * DynamoDB faults on the wire: the counting proxy in front of a real DynamoDB Local (started as the runtime starts
 * it: -sharedDb, so every access key sees the same tables), answered to real `@aws-sdk/client-dynamodb` clients.
 * The SDK must surface the same error classes, members and retries as on AWS: it retries throttling and 500s
 * (`$metadata.attempts` goes up), not cancelled transactions or conflicts.
 *
 * First, what DynamoDB Local itself does with overlapping writes on one item (measured, local/README.md).
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  ThrottlingException,
  TransactionCanceledException,
  TransactionConflictException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type CountingProxy, startCountingProxy } from '../../../local/dynamodb/counting-proxy';
import { throttlingException } from '../../../local/dynamodb/errors';
import type { TableSchemas } from '../../../local/dynamodb/request-census';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../../local/dynamodb-local';
import type { FaultInjector } from '../../../local/faults';
import { createFaultInjector, type FaultsConfigInput } from '../../../local/faults-config';
import { accessKeyIdFor, FunctionIdentities } from '../../../local/identity';
import { Metrics } from '../../../local/metrics';
import { waitFor } from './fixture';

const TABLE = 'Faults-Stateful-Table0A1B2C3D';
const FN = 'Faults-Stateless-WriterFnA1B2C3D4';
const SCHEMAS: TableSchemas = new Map([
  [
    TABLE,
    {
      key: ['pk', 'sk'],
      indexKeys: ['gsi1pk'],
      globalIndexes: [{ name: 'gsi1', partitionKey: 'gsi1pk' }],
      arn: `arn:aws:dynamodb:us-east-1:000000000000:table/${TABLE}`,
      onDemand: true,
    },
  ],
]);

/** Between the proxy and DynamoDB Local: holds the requests whose body contains `HOLD` until released. */
class HoldingRelay {
  private server!: Server;
  private readonly waiting: (() => void)[] = [];
  endpoint = '';

  async start(upstream: string): Promise<void> {
    const target = new URL(upstream);
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks);
        if (body.includes('HOLD')) await new Promise<void>((release) => this.waiting.push(release));
        const out = httpRequest(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        out.end(body);
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get held(): number {
    return this.waiting.length;
  }

  releaseAll(): void {
    for (const release of this.waiting.splice(0)) release();
  }

  close(): Promise<void> {
    this.releaseAll();
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

let ddb: DynamoDbLocal;
let relay: HoldingRelay;
let proxy: CountingProxy;
let metrics: Metrics;
let direct: DynamoDBClient;
const clients: DynamoDBClient[] = [];
/** What the proxy consults; each test sets its own faults. */
const faults: { current: FaultInjector } = { current: {} };
const useFaults = (config: FaultsConfigInput) => {
  const injector = createFaultInjector(config);
  faults.current = injector;
  return injector;
};

function client(accessKeyId = 'local', maxAttempts = 3): DynamoDBClient {
  const c = new DynamoDBClient({
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey: 'local' },
    maxAttempts,
  });
  clients.push(c);
  return c;
}

const key = (pk: string, sk = 'a') => ({ pk: { S: pk }, sk: { S: sk } });
const put = (pk: string, extra: Record<string, { S: string }> = {}) =>
  new PutItemCommand({ TableName: TABLE, Item: { ...key(pk), ...extra } });
const transact = (...pks: string[]) =>
  new TransactWriteItemsCommand({ TransactItems: pks.map((pk) => ({ Put: { TableName: TABLE, Item: key(pk) } })) });
const increment = (pk: string, marker = 'go') =>
  new UpdateItemCommand({
    TableName: TABLE,
    Key: key(pk),
    UpdateExpression: 'ADD n :one SET marker = :m',
    ExpressionAttributeValues: { ':one': { N: '1' }, ':m': { S: marker } },
  });
const stored = async (pk: string) => (await direct.send(new GetItemCommand({ TableName: TABLE, Key: key(pk) }))).Item;

async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { $metadata: { attempts?: number; httpStatusCode?: number; requestId?: string } }> {
  try {
    await promise;
  } catch (error) {
    return error as never;
  }
  throw new Error('expected the request to fail');
}

beforeAll(async () => {
  ddb = await startDynamoDbLocal({ sharedDb: true });
  relay = new HoldingRelay();
  await relay.start(ddb.endpoint);
  metrics = new Metrics();
  const identities = new FunctionIdentities();
  identities.register([FN]);
  proxy = await startCountingProxy(relay.endpoint, metrics, {
    tables: SCHEMAS,
    faults: { dynamodbRequest: (c) => faults.current.dynamodbRequest?.(c) },
    identify: (authorization) => identities.functionOf(authorization),
  });
  direct = new DynamoDBClient({
    endpoint: ddb.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await direct.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
}, 60_000);

beforeEach(() => {
  faults.current = {};
  metrics.reset();
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  direct?.destroy();
  await proxy?.close();
  await relay?.close();
  await ddb?.stop();
});

describe('DynamoDB Local with overlapping writes on one item (no faults)', () => {
  it('runs them one after the other: every transaction and update succeeds, none is cancelled', async () => {
    const c = client();
    const results = await Promise.allSettled([
      ...Array.from({ length: 24 }, (_, i) =>
        c.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Update: {
                  TableName: TABLE,
                  Key: key('overlap'),
                  UpdateExpression: 'ADD n :one',
                  ExpressionAttributeValues: { ':one': { N: '1' } },
                },
              },
              { Put: { TableName: TABLE, Item: key(`overlap-own-${i}`) } },
            ],
          }),
        ),
      ),
      ...Array.from({ length: 12 }, () => c.send(increment('overlap'))),
    ]);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect((await stored('overlap'))?.n).toEqual({ N: '36' });
  });
});

describe('errors of dynamodb rules, as the SDK sees them', () => {
  it('ThrottlingException: HTTP 400, retried by the SDK (attempts 3), with a DynamoDB request id and throttling reasons', async () => {
    useFaults({ dynamodb: [{ operations: ['PutItem'], probability: 1, error: 'ThrottlingException' }] });
    const error = await rejection(client().send(put('throttled')));
    expect(error).toBeInstanceOf(ThrottlingException);
    expect(error.name).toBe('ThrottlingException');
    expect(error.message).toMatch(/^Throughput exceeds the current capacity of your table or index/);
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 3 });
    expect(error.$metadata.requestId).toMatch(/^[A-Z0-9]{52}$/);
    expect((error as ThrottlingException).throttlingReasons).toEqual([
      { reason: 'TableWriteKeyRangeThroughputExceeded', resource: SCHEMAS.get(TABLE)?.arn },
    ]);
    expect(await stored('throttled')).toBeUndefined();
    expect(metrics.snapshot().dynamodb.requests.PutItem).toBe(3);
  });

  it('a throttled request the SDK retries succeeds on a later attempt, and says how many it took', async () => {
    let refused = 0;
    faults.current = {
      dynamodbRequest: () => (refused++ < 1 ? { error: throttlingException('slow down') } : undefined),
    };
    const out = await client().send(put('retried'));
    expect(out.$metadata.attempts).toBe(2);
    expect(await stored('retried')).toBeDefined();
  });

  it('ProvisionedThroughputExceededException and InternalServerError (HTTP 500) are retried too', async () => {
    useFaults({
      dynamodb: [{ operations: ['GetItem'], probability: 1, error: 'ProvisionedThroughputExceededException' }],
    });
    const throughput = await rejection(client().send(new GetItemCommand({ TableName: TABLE, Key: key('x') })));
    expect(throughput).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(throughput.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 3 });
    expect((throughput as ProvisionedThroughputExceededException).ThrottlingReasons).toEqual([
      { reason: 'TableReadKeyRangeThroughputExceeded', resource: SCHEMAS.get(TABLE)?.arn },
    ]);
    useFaults({ dynamodb: [{ probability: 1, error: 'InternalServerError' }] });
    const internal = await rejection(client().send(put('internal')));
    expect(internal).toBeInstanceOf(InternalServerError);
    expect(internal.$metadata).toMatchObject({ httpStatusCode: 500, attempts: 3 });
  });

  it('TransactionCanceledException: the reason on the item of the key prefix, None elsewhere, not retried, nothing written', async () => {
    useFaults({
      dynamodb: [
        { keyPrefixes: ['HOT#'], probability: 1, error: 'TransactionCanceledException', reason: 'ThrottlingError' },
      ],
    });
    const error = await rejection(client().send(transact('COLD#1', 'HOT#1', 'COLD#2')));
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 1 });
    expect(error.message).toBe(
      'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ThrottlingError, None]',
    );
    expect((error as TransactionCanceledException).CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'ThrottlingError', Message: expect.stringMatching(/^Throughput exceeds/) },
      { Code: 'None' },
    ]);
    expect(await stored('COLD#1')).toBeUndefined();
    await client().send(transact('COLD#3', 'COLD#4'));
    expect(await stored('COLD#3')).toBeDefined();
  });

  it('selects by function: the access key a function signs with names it; other keys are "no function"', async () => {
    useFaults({ dynamodb: [{ function: 'WriterFn', probability: 1, error: 'ThrottlingException' }] });
    const fromFunction = await rejection(client(accessKeyIdFor(FN), 1).send(put('by-fn')));
    expect(fromFunction).toBeInstanceOf(ThrottlingException);
    await client('local', 1).send(put('by-test'));
    await client(accessKeyIdFor('Faults-Stateless-OtherFn00000000'), 1).send(put('by-other'));
    expect(await stored('by-test')).toBeDefined();
    expect(await stored('by-other')).toBeDefined();
  });
});

describe('the partition capacity model', () => {
  it('throttles a hot partition key as an on-demand table does, spares the others, and counts units per key', async () => {
    // 1 write unit per second and 2 s of burst per key: two Puts, then throttled.
    useFaults({ partitions: { capacityScale: 0.001, burstSeconds: 2 } });
    const c = client('local', 1);
    await c.send(put('HOT'));
    await c.send(put('HOT'));
    const throttled = await rejection(c.send(put('HOT')));
    expect(throttled).toBeInstanceOf(ThrottlingException);
    expect((throttled as ThrottlingException).throttlingReasons).toEqual([
      { reason: 'TableWriteKeyRangeThroughputExceeded', resource: SCHEMAS.get(TABLE)?.arn },
    ]);
    await c.send(put('COLD'));
    const tx = await rejection(c.send(transact('OTHER', 'HOT')));
    expect(tx).toBeInstanceOf(TransactionCanceledException);
    expect((tx as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual([
      'None',
      'ThrottlingError',
    ]);
    // A global secondary index key has partitions of its own.
    await c.send(put('G1', { gsi1pk: { S: 'SAME' } }));
    await c.send(put('G2', { gsi1pk: { S: 'SAME' } }));
    const index = await rejection(c.send(put('G3', { gsi1pk: { S: 'SAME' } })));
    expect((index as ThrottlingException).throttlingReasons?.[0]?.reason).toBe('IndexWriteKeyRangeThroughputExceeded');
    const partitions = metrics.snapshot().dynamodb.partitions;
    expect(partitions.hottestWrites[0]).toMatchObject({ table: TABLE, key: 'HOT', writeUnits: 2, writeThrottles: 2 });
    expect(partitions.hottestWrites).toContainEqual(
      expect.objectContaining({ index: 'gsi1', key: 'SAME', writeUnits: 2 }),
    );
    expect(partitions.writeThrottles).toBe(3);
    expect(partitions.mostThrottled[0]).toMatchObject({ key: 'HOT', writeThrottles: 2 });
  });
});

describe('transaction conflicts', () => {
  it('cancel a transaction and refuse a single-item write on an item of a transaction in flight', async () => {
    const injector = useFaults({ transactionConflicts: true });
    const c = client('local', 3);
    const held = client().send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: TABLE, Item: { ...key('ITEM'), marker: { S: 'HOLD' } } } },
          { Put: { TableName: TABLE, Item: key('ITEM-2') } },
        ],
      }),
    );
    await waitFor(() => relay.held === 1, 'the first transaction to be in flight');
    const tx = await rejection(c.send(transact('ELSEWHERE', 'ITEM')));
    expect(tx).toBeInstanceOf(TransactionCanceledException);
    expect(tx.$metadata.attempts).toBe(1);
    expect((tx as TransactionCanceledException).CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
    ]);
    const single = await rejection(c.send(increment('ITEM-2')));
    expect(single).toBeInstanceOf(TransactionConflictException);
    expect(single.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 1 });
    await c.send(put('UNRELATED'));
    relay.releaseAll();
    await held;
    await c.send(increment('ITEM-2'));
    expect((await stored('ITEM-2'))?.n).toEqual({ N: '1' });
    expect(injector.counts().transactionConflicts).toBe(2);
  });

  it('cancel a transaction on an item of a single-item write in flight, while other single-item writes go through', async () => {
    useFaults({ transactionConflicts: true });
    const held = client().send(increment('SINGLE', 'HOLD'));
    await waitFor(() => relay.held === 1, 'the update to be in flight');
    const tx = await rejection(client().send(transact('SINGLE')));
    expect((tx as TransactionCanceledException).CancellationReasons).toEqual([
      { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
    ]);
    await client().send(increment('SINGLE'));
    relay.releaseAll();
    await held;
    expect((await stored('SINGLE'))?.n).toEqual({ N: '2' });
  });
});
