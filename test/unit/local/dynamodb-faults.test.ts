/**
 * The DynamoDB faults of fault files, without DynamoDB: which items a request names, the partition capacity model,
 * the transaction conflict rules, and the answers each `dynamodb` rule gives. (The wire shapes as the SDK parses
 * them are tested against DynamoDB Local in test/integration/local/dynamodb-faults.test.ts.)
 */
import { InFlightItems } from '../../../local/dynamodb/conflicts';
import { createDynamoDbFaults, type DynamoDbFaultsConfig } from '../../../local/dynamodb/faults';
import { PartitionModel } from '../../../local/dynamodb/partition-model';
import type { TableSchemas } from '../../../local/dynamodb/request-census';
import { requestItems } from '../../../local/dynamodb/request-items';
import type { DynamoDbRequestContext } from '../../../local/faults';
import { createFaultInjector, describeFaults, parseFaultsConfig } from '../../../local/faults-config';
import { accessKeyIdFor, FunctionIdentities } from '../../../local/identity';

const TABLE = 'App-Stateful-Table1234ABCD';
const SCHEMAS: TableSchemas = new Map([
  [
    TABLE,
    {
      key: ['pk', 'sk'],
      indexKeys: ['gsi1pk', 'gsi1sk'],
      globalIndexes: [{ name: 'gsi1', partitionKey: 'gsi1pk' }],
      arn: `arn:aws:dynamodb:us-east-1:000000000000:table/${TABLE}`,
      onDemand: true,
    },
  ],
]);
const FN = 'App-Stateless-WriterFn0123ABCD';

const put = (pk: string, extra: Record<string, { S: string }> = {}) => ({
  TableName: TABLE,
  Item: { pk: { S: pk }, sk: { S: 'a' }, ...extra },
});
const update = (pk: string) => ({
  TableName: TABLE,
  Key: { pk: { S: pk }, sk: { S: 'a' } },
  UpdateExpression: 'SET #g = :g, n = :n',
  ExpressionAttributeNames: { '#g': 'gsi1pk' },
  ExpressionAttributeValues: { ':g': { S: 'IDX#1' }, ':n': { N: '1' } },
});
const transact = (...pks: string[]) => ({ TransactItems: pks.map((pk) => ({ Put: put(pk) })) });

function context(operation: string, request: Record<string, unknown>, functionName?: string): DynamoDbRequestContext {
  return { operation, functionName, items: requestItems(operation, request, SCHEMAS), tables: SCHEMAS };
}

describe('the items of a request', () => {
  it('names the item, its partition key and the table and index partitions it writes, with their units', () => {
    const [item] = requestItems(
      'PutItem',
      put('ORDER#1', { gsi1pk: { S: 'CUSTOMER#9' }, big: { S: 'x'.repeat(1500) } }),
      SCHEMAS,
    );
    expect(item).toMatchObject({ table: TABLE, partitionKey: 'ORDER#1', access: 'write', position: 0 });
    expect(item?.partitions).toEqual([
      { table: TABLE, index: undefined, value: 'ORDER#1', kind: 'write', units: 2 },
      { table: TABLE, index: 'gsi1', value: 'CUSTOMER#9', kind: 'write', units: 2 },
    ]);
    // An Update writes the index partition whose key it SETs to a value.
    expect(requestItems('UpdateItem', update('ORDER#1'), SCHEMAS)[0]?.partitions.map((p) => p.value)).toEqual([
      'ORDER#1',
      'IDX#1',
    ]);
    expect(requestItems('UpdateItem', update('ORDER#1'), SCHEMAS)[0]?.itemKey).toBe(item?.itemKey);
  });

  it('counts transactions twice, condition checks as checks, and reads by consistency', () => {
    const items = requestItems(
      'TransactWriteItems',
      {
        TransactItems: [
          { Put: put('A') },
          { ConditionCheck: { TableName: TABLE, Key: { pk: { S: 'B' }, sk: { S: 'a' } } } },
        ],
      },
      SCHEMAS,
    );
    expect(items.map((i) => [i.position, i.access, i.partitions[0]?.units])).toEqual([
      [0, 'write', 2],
      [1, 'check', 2],
    ]);
    const get = (consistent: boolean) =>
      requestItems(
        'GetItem',
        { TableName: TABLE, Key: { pk: { S: 'A' }, sk: { S: 'a' } }, ConsistentRead: consistent },
        SCHEMAS,
      )[0]?.partitions[0]?.units;
    expect([get(true), get(false)]).toEqual([1, 0.5]);
    const query = requestItems(
      'Query',
      {
        TableName: TABLE,
        IndexName: 'gsi1',
        KeyConditionExpression: '#p = :p AND begins_with(gsi1sk, :s)',
        ExpressionAttributeNames: { '#p': 'gsi1pk' },
        ExpressionAttributeValues: { ':p': { S: 'CUSTOMER#9' }, ':s': { S: 'O' } },
      },
      SCHEMAS,
    );
    expect(query[0]?.partitions).toEqual([
      { table: TABLE, index: 'gsi1', value: 'CUSTOMER#9', kind: 'read', units: 0.5 },
    ]);
  });
});

describe('the partition capacity model', () => {
  it('gives each partition key value its scaled rate with a burst of burstSeconds, and refills it over time', () => {
    let now = 0;
    const model = new PartitionModel({ capacityScale: 0.01, burstSeconds: 1, now: () => now }); // 10 WCU/s, 10 burst
    const hot = requestItems('PutItem', put('HOT'), SCHEMAS);
    const admitted = Array.from({ length: 12 }, () => model.admit(hot).throttled === undefined);
    expect(admitted).toEqual([...Array(10).fill(true), false, false]);
    expect(model.admit(requestItems('PutItem', put('COLD'), SCHEMAS)).throttled).toBeUndefined();
    now += 100; // 1 unit back
    expect(model.admit(hot).throttled).toBeUndefined();
    expect(model.admit(hot).throttled?.partition).toMatchObject({ value: 'HOT', kind: 'write' });
    // Reads have their own, three times larger, budget.
    const read = requestItems(
      'GetItem',
      { TableName: TABLE, Key: { pk: { S: 'HOT' }, sk: { S: 'a' } }, ConsistentRead: true },
      SCHEMAS,
    );
    expect(Array.from({ length: 31 }, () => model.admit(read).throttled === undefined).filter(Boolean)).toHaveLength(
      30,
    );
  });

  it('takes all or nothing of a request, sums the units an item collection shares, and counts only when not enforcing', () => {
    let now = 0;
    const model = new PartitionModel({ capacityScale: 0.01, burstSeconds: 1, now: () => now });
    // 2 units per item, 3 items on one key: 6 of its 10.
    const tx = requestItems('TransactWriteItems', transact('K', 'K2', 'K'), SCHEMAS);
    expect(model.admit(tx).consumed).toEqual([
      expect.objectContaining({ value: 'K', units: 4 }),
      expect.objectContaining({ value: 'K2', units: 2 }),
    ]);
    const refused = model.admit(requestItems('TransactWriteItems', transact('OTHER', 'K', 'K', 'K', 'K'), SCHEMAS));
    expect(refused.throttled).toMatchObject({ partition: { value: 'K' }, item: { position: 1 } });
    expect(refused.consumed).toEqual([]);
    // OTHER got nothing taken: its full burst is still there.
    expect(
      model.admit(requestItems('TransactWriteItems', transact('OTHER', 'OTHER', 'OTHER', 'OTHER', 'OTHER'), SCHEMAS))
        .throttled,
    ).toBeUndefined();
    expect(model.admit(tx, false).throttled).toBeUndefined();
    now += 10_000;
    // A request larger than a full bucket passes when the bucket is full (and leaves it in debt).
    const huge = requestItems('PutItem', put('BIG', { blob: { S: 'x'.repeat(20 * 1024) } }), SCHEMAS);
    expect(model.admit(huge).throttled).toBeUndefined();
    expect(model.admit(requestItems('PutItem', put('BIG'), SCHEMAS)).throttled).toBeDefined();
  });
});

describe('transaction conflicts', () => {
  const items = (operation: string, request: Record<string, unknown>) => requestItems(operation, request, SCHEMAS);

  it('refuses what DynamoDB refuses while a request on the same item is in flight, and nothing once it is done', () => {
    const inFlight = new InFlightItems();
    const release = inFlight.hold('TransactWriteItems', items('TransactWriteItems', transact('A', 'B')));
    expect(
      inFlight.conflicts('TransactWriteItems', items('TransactWriteItems', transact('C', 'B'))).map((i) => i.position),
    ).toEqual([1]);
    expect(inFlight.conflicts('PutItem', items('PutItem', put('A')))).toHaveLength(1);
    expect(
      inFlight.conflicts(
        'TransactGetItems',
        items('TransactGetItems', {
          TransactItems: [{ Get: { TableName: TABLE, Key: { pk: { S: 'A' }, sk: { S: 'a' } } } }],
        }),
      ),
    ).toHaveLength(1);
    // Reads and other items never conflict.
    expect(
      inFlight.conflicts('GetItem', items('GetItem', { TableName: TABLE, Key: { pk: { S: 'A' }, sk: { S: 'a' } } })),
    ).toEqual([]);
    expect(inFlight.conflicts('PutItem', items('PutItem', put('C')))).toEqual([]);
    release();
    release();
    expect(inFlight.size).toBe(0);
    expect(inFlight.conflicts('PutItem', items('PutItem', put('A')))).toEqual([]);
  });

  it('cancels a transaction on an item of a single-item write in flight, but lets single-item writes meet', () => {
    const inFlight = new InFlightItems();
    const release = inFlight.hold('UpdateItem', items('UpdateItem', update('A')));
    expect(inFlight.conflicts('TransactWriteItems', items('TransactWriteItems', transact('A')))).toHaveLength(1);
    expect(inFlight.conflicts('PutItem', items('PutItem', put('A')))).toEqual([]);
    expect(
      inFlight.conflicts(
        'BatchWriteItem',
        items('BatchWriteItem', { RequestItems: { [TABLE]: [{ PutRequest: put('A') }] } }),
      ),
    ).toEqual([]);
    release();
    expect(inFlight.conflicts('TransactWriteItems', items('TransactWriteItems', transact('A')))).toEqual([]);
  });
});

describe('dynamodb rules', () => {
  const faults = (over: Partial<DynamoDbFaultsConfig>) => createDynamoDbFaults({ seed: 1, dynamodb: [], ...over });
  const rule = (r: Record<string, unknown>) => parseFaultsConfig({ dynamodb: [r] }).dynamodb;

  it('answers with the configured error for the operations, function, table and key prefixes it selects', () => {
    const f = faults({
      dynamodb: rule({
        operations: ['PutItem'],
        function: 'WriterFn',
        table: 'Table',
        keyPrefixes: ['ORDER#'],
        probability: 1,
        error: 'ThrottlingException',
      }),
    });
    const hit = f.request(context('PutItem', put('ORDER#1'), FN));
    expect(hit?.error).toMatchObject({
      status: 400,
      name: 'ThrottlingException',
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
        message: expect.stringContaining('Throughput exceeds the current capacity'),
        throttlingReasons: [{ reason: 'TableWriteKeyRangeThroughputExceeded', resource: SCHEMAS.get(TABLE)?.arn }],
      },
    });
    expect(f.request(context('PutItem', put('STOCK#1'), FN))?.error).toBeUndefined();
    expect(f.request(context('PutItem', put('ORDER#1'), undefined))?.error).toBeUndefined();
    expect(f.request(context('PutItem', put('ORDER#1'), 'App-Stateless-OtherFn0123ABCD'))?.error).toBeUndefined();
    expect(f.request(context('UpdateItem', update('ORDER#1'), FN))?.error).toBeUndefined();
    expect(f.counts().dynamodbErrors).toBe(1);
  });

  it('cancels a transaction with the reason on one selected item and None on the others, never other operations', () => {
    const f = faults({
      dynamodb: rule({
        keyPrefixes: ['ORDER#'],
        probability: 1,
        error: 'TransactionCanceledException',
        reason: 'TransactionConflict',
      }),
    });
    const answer = f.request(context('TransactWriteItems', transact('STOCK#1', 'ORDER#1', 'OUT#1')))?.error;
    expect(answer?.body).toEqual({
      __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
      CancellationReasons: [
        { Code: 'None' },
        { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
        { Code: 'None' },
      ],
      Message:
        'Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict, None]',
    });
    expect(f.request(context('PutItem', put('ORDER#1')))?.error).toBeUndefined();
  });

  it('answers 500 for InternalServerError and draws the same decisions for the same seed', () => {
    const draw = () => {
      const f = faults({ dynamodb: rule({ probability: 0.3, error: 'InternalServerError' }) });
      return Array.from(
        { length: 200 },
        () => f.request(context('GetItem', { TableName: TABLE, Key: { pk: { S: 'A' } } }))?.error?.status ?? 200,
      );
    };
    const first = draw();
    expect(first).toEqual(draw());
    const failed = first.filter((s) => s === 500).length;
    expect(failed).toBeGreaterThan(35);
    expect(failed).toBeLessThan(85);
  });

  it('rejects rules that cannot be answered that way', () => {
    expect(() => rule({ probability: 1, error: 'ThrottlingException', reason: 'ThrottlingError' })).toThrow(/reason/);
    expect(() => rule({ operations: ['PutItem'], probability: 1, error: 'TransactionCanceledException' })).toThrow(
      /TransactWriteItems only/,
    );
    expect(() => rule({ operations: ['PutItems'], probability: 1, error: 'InternalServerError' })).toThrow(
      /operations/,
    );
  });
});

describe('the partition model and conflicts through the seam', () => {
  it('throttles a hot key as an on-demand table does, and a transaction on it with ThrottlingError on that item', () => {
    let now = 0;
    const f = createDynamoDbFaults(
      { seed: 1, dynamodb: [], partitions: { capacityScale: 0.002, burstSeconds: 1, enforce: true } },
      { now: () => now },
    );
    // 2 units per second: two Puts, then throttled (each answered before the next: no conflict).
    const first = f.request(context('PutItem', put('HOT')));
    expect(first?.consumed).toEqual([expect.objectContaining({ value: 'HOT', units: 1 })]);
    first?.done?.({ ok: true, responseBytes: 2 });
    f.request(context('PutItem', put('HOT')))?.done?.({ ok: true, responseBytes: 2 });
    const throttled = f.request(context('PutItem', put('HOT')));
    expect(throttled?.error?.name).toBe('ThrottlingException');
    expect(throttled?.throttled).toMatchObject({ value: 'HOT', kind: 'write' });
    const tx = f.request(context('TransactWriteItems', transact('COLD', 'HOT')))?.error;
    expect(tx?.body.CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'ThrottlingError', Message: expect.stringContaining('Throughput exceeds') },
    ]);
    expect(f.counts().partitionThrottles).toBe(2);
    now += 1_000;
    expect(f.request(context('PutItem', put('HOT')))?.error).toBeUndefined();
  });

  it('answers ProvisionedThroughputExceededException with ThrottlingReasons for a provisioned table, and names the index', () => {
    const provisioned: TableSchemas = new Map([
      [TABLE, { ...SCHEMAS.get(TABLE), key: ['pk', 'sk'], indexKeys: [], onDemand: false }],
    ]);
    const f = createDynamoDbFaults({
      seed: 1,
      dynamodb: [],
      partitions: { capacityScale: 0.001, burstSeconds: 1, enforce: true },
    });
    const c = (pk: string) => ({ ...context('PutItem', put(pk, { gsi1pk: { S: 'SAME' } })), tables: provisioned });
    f.request(c('A'));
    expect(f.request(c('B'))?.error?.body).toEqual({
      __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
      message: expect.stringContaining('provisioned throughput for the table was exceeded'),
      ThrottlingReasons: [
        { reason: 'IndexWriteKeyRangeThroughputExceeded', resource: `${SCHEMAS.get(TABLE)?.arn}/index/gsi1` },
      ],
    });
  });

  it('holds the items of a forwarded request until it is done (conflicts are on with partitions, or on their own)', () => {
    const f = createDynamoDbFaults({ seed: 1, dynamodb: [], transactionConflicts: true });
    const first = f.request(context('TransactWriteItems', transact('A', 'B')));
    expect(first?.error).toBeUndefined();
    expect(f.request(context('UpdateItem', update('A')))?.error?.body).toEqual({
      __type: 'com.amazonaws.dynamodb.v20120810#TransactionConflictException',
      message: 'Transaction is ongoing for the item',
    });
    expect(f.request(context('TransactWriteItems', transact('B', 'C')))?.error?.body.CancellationReasons).toEqual([
      { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
      { Code: 'None' },
    ]);
    first?.done?.({ ok: true, responseBytes: 2 });
    expect(f.request(context('UpdateItem', update('A')))?.error).toBeUndefined();
    expect(f.counts().transactionConflicts).toBe(2);
    const off = createDynamoDbFaults({
      seed: 1,
      dynamodb: [],
      partitions: { capacityScale: 1, burstSeconds: 1, enforce: true },
      transactionConflicts: false,
    });
    off.request(context('TransactWriteItems', transact('A')));
    expect(off.request(context('PutItem', put('A')))?.error).toBeUndefined();
  });

  it('charges a Query by the size of its answer once it is known', () => {
    const f = createDynamoDbFaults({
      seed: 1,
      dynamodb: [],
      partitions: { capacityScale: 1, burstSeconds: 1, enforce: true },
    });
    const q = f.request(
      context('Query', {
        TableName: TABLE,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': { S: 'A' } },
        ConsistentRead: true,
      }),
    );
    expect(q?.consumed).toEqual([expect.objectContaining({ value: 'A', kind: 'read', units: 1 })]);
    expect(q?.done?.({ ok: true, responseBytes: 10_000 })).toEqual([expect.objectContaining({ value: 'A', units: 2 })]);
  });
});

describe('fault files', () => {
  it('inject nothing new by default', () => {
    const injector = createFaultInjector({});
    expect(injector.dynamodbRequest(context('TransactWriteItems', transact('A')))).toBeUndefined();
    expect(injector.afterLambdaInvoke({ functionName: FN, trigger: 'api', requestId: 'r' })).toBeUndefined();
    expect(injector.counts()).toMatchObject({
      dynamodbErrors: 0,
      partitionThrottles: 0,
      transactionConflicts: 0,
      afterCommitExits: 0,
    });
  });

  it('crash after the commit for the functions and states a lambda rule selects, and count it', () => {
    const injector = createFaultInjector({
      lambda: [
        { function: 'WriterFn', afterCommit: { probability: 1, mode: 'exit' } },
        { state: 'Reserve', triggers: ['stepfunctions'], afterCommit: { probability: 1, mode: 'lost-response' } },
      ],
    });
    expect(injector.afterLambdaInvoke({ functionName: FN, trigger: 'sqs', requestId: 'r' })).toEqual({ crash: 'exit' });
    expect(
      injector.afterLambdaInvoke({
        functionName: 'Other',
        trigger: 'stepfunctions',
        stateName: 'Reserve',
        requestId: 'r',
      }),
    ).toEqual({ crash: 'lost-response' });
    expect(
      injector.afterLambdaInvoke({ functionName: 'Other', trigger: 'async', stateName: 'Reserve', requestId: 'r' }),
    ).toBeUndefined();
    // A crash after the commit is not a failure before the handler.
    expect(injector.beforeLambdaInvoke({ functionName: FN, trigger: 'api', requestId: 'r' })).toBeUndefined();
    expect(injector.counts()).toMatchObject({ afterCommitExits: 1, afterCommitLostResponses: 1, lambdaFailures: 0 });
  });

  it('describe the new blocks in the start line', () => {
    const config = parseFaultsConfig({
      dynamodb: [{ probability: 0.1, error: 'ThrottlingException' }],
      partitions: { capacityScale: 0.1 },
    });
    expect(config.partitions).toEqual({ capacityScale: 0.1, burstSeconds: 1, enforce: true });
    expect(describeFaults(config)).toContain('1 dynamodb rule(s), partitions ×0.1 (burst 1 s), transaction conflicts');
  });
});

describe('function identities', () => {
  it('give each function a short, stable access key id and find the function back from a SigV4 header', () => {
    const key = accessKeyIdFor(FN);
    expect(key).toMatch(/^LOCAL[0-9A-F]{15}$/);
    expect(accessKeyIdFor(FN)).toBe(key);
    expect(accessKeyIdFor('App-Stateless-Other')).not.toBe(key);
    const identities = new FunctionIdentities();
    identities.register([FN]);
    const header = (akid: string) =>
      `AWS4-HMAC-SHA256 Credential=${akid}/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00`;
    expect(identities.functionOf(header(key))).toBe(FN);
    expect(identities.functionOf(header('local'))).toBeUndefined();
    expect(identities.functionOf(undefined)).toBeUndefined();
  });
});
