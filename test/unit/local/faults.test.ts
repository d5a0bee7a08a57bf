/**
 * The fault-injection seams (issue 4 builds its scenarios on them): a fault at each seam has its effect.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoRawClient } from '../../../local/dynamodb/raw-client';
import { StreamMapping } from '../../../local/dynamodb/stream-mapping';
import { EventBridgeEngine, type PendingDelivery } from '../../../local/eventbridge/engine';
import { EventLog } from '../../../local/eventbridge/event-log';
import type { FaultInjector } from '../../../local/faults';
import { type AsyncInvocation, type InvocationResult, LambdaHost } from '../../../local/lambda/host';
import { Metrics } from '../../../local/metrics';
import { Journal } from '../../../local/persist/journal';
import { JsonStore } from '../../../local/persist/json-store';
import type { EventSourceMappingDef, FunctionDef, RuleDef } from '../../../local/template/model';

const silent = () => {};
const codeDir = mkdtempSync(join(tmpdir(), 'faults-fn-'));
writeFileSync(join(codeDir, 'index.js'), 'exports.handler = async (event) => ({ echoed: event });');
afterAll(() => rmSync(codeDir, { recursive: true, force: true }));

const fnDef: FunctionDef = {
  logicalId: 'Fn',
  stackName: 'S',
  name: 'fn',
  arn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
  handler: 'index.handler',
  codeDir,
  runtime: 'nodejs22.x',
  timeoutSeconds: 5,
  memoryMb: 128,
  environment: {},
  reservedConcurrency: undefined,
  deadLetterArn: undefined,
};

function host(faults: FaultInjector): LambdaHost {
  return new LambdaHost({
    functions: [fnDef],
    invokeConfigs: [],
    maxWorkersPerFunction: 1,
    baseEnv: () => ({}),
    log: silent,
    metrics: new Metrics(),
    faults,
    asyncRetryDelaysMs: [1],
    sendToDestination: async () => {},
    journal: new Journal<AsyncInvocation>(undefined),
  });
}

describe('fault seams', () => {
  it('before a Lambda invocation: fails it with the injected error without running the handler, or delays it', async () => {
    const seen: string[] = [];
    const h = host({
      beforeLambdaInvoke: (c) => {
        seen.push(`${c.trigger}:${c.stateName ?? '-'}`);
        return c.stateName === 'Charge'
          ? { error: { errorType: 'Lambda.ServiceException', errorMessage: 'injected' } }
          : { delayMs: 150 };
      },
    });
    try {
      const failed = await h.invoke('fn', '{}', {
        trigger: 'stepfunctions',
        stateName: 'Charge',
        stateMachineName: 'm',
        executionName: 'e',
      });
      expect(failed).toMatchObject({
        ok: false,
        error: { errorType: 'Lambda.ServiceException', errorMessage: 'injected' },
      });
      expect(h.poolStats().fn).toBeUndefined();
      const started = Date.now();
      const delayed = await h.invoke('fn', '{"a":1}', { trigger: 'api' });
      expect(delayed.ok).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      expect(seen).toEqual(['stepfunctions:Charge', 'api:-']);
    } finally {
      await h.stop();
    }
  });

  const rule: RuleDef = {
    name: 'r',
    arn: 'arn:aws:events:us-east-1:000000000000:rule/r',
    busName: 'default',
    pattern: { source: ['app'] },
    schedule: undefined,
    enabled: true,
    targets: [
      {
        id: 'T0',
        arn: fnDef.arn,
        input: undefined,
        inputPath: undefined,
        inputTransformer: undefined,
        maximumRetryAttempts: 2,
        maximumEventAgeSeconds: 3600,
        deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:dlq',
        messageGroupId: undefined,
      },
    ],
  };

  function engine(faults: FaultInjector, dispatched: string[], deadLetters: Record<string, string>[]) {
    return new EventBridgeEngine({
      account: '000000000000',
      region: 'us-east-1',
      buses: [{ name: 'default', arn: 'arn:aws:events:us-east-1:000000000000:event-bus/default' }],
      rules: [rule],
      log: silent,
      metrics: new Metrics(),
      faults,
      eventLog: new EventLog(100),
      journal: new Journal<PendingDelivery>(undefined),
      dispatch: async (_t, _r, event) => {
        dispatched.push(event.id);
      },
      deadLetter: async (_arn, _body, attributes) => {
        deadLetters.push(attributes);
      },
      retryBaseMs: 1,
      retryMaxMs: 5,
    });
  }

  it('in PutEvents: fails the chosen entries with InternalFailure', async () => {
    const e = engine({ putEventsEntry: (c) => (c.index === 1 ? { errorCode: 'InternalFailure' } : undefined) }, [], []);
    const out = await e.putEvents(
      [0, 1, 2].map((i) => ({ Source: 'app', DetailType: 'T', Detail: JSON.stringify({ i }) })),
    );
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries[1]).toMatchObject({ ErrorCode: 'InternalFailure' });
    await e.stop();
  });

  it('at delivery: duplicates a delivery, or makes the target unavailable (retries, then the DLQ)', async () => {
    const dispatched: string[] = [];
    const deadLetters: Record<string, string>[] = [];
    const e = engine(
      {
        eventDelivery: (c) =>
          (c.event.detail as { mode: string }).mode === 'dup' ? { duplicates: 1 } : { unavailable: true },
      },
      dispatched,
      deadLetters,
    );
    const dup = e.publish('default', { source: 'app', detailType: 'T', detail: { mode: 'dup' } });
    e.publish('default', { source: 'app', detailType: 'T', detail: { mode: 'down' } });
    const deadline = Date.now() + 5_000;
    while (deadLetters.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(dispatched).toEqual([dup.id, dup.id]);
    expect(deadLetters).toEqual([
      expect.objectContaining({
        RULE_ARN: rule.arn,
        TARGET_ARN: fnDef.arn,
        ERROR_CODE: 'ThrottlingException',
        RETRY_ATTEMPTS: '2',
      }),
    ]);
    await e.stop();
  });

  it('at stream batch delivery: delivers the same batch again', async () => {
    const record = {
      eventID: '1',
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'ddblocal',
      dynamodb: {
        ApproximateCreationDateTime: 1,
        Keys: { pk: { S: 'a' } },
        NewImage: { pk: { S: 'a' } },
        SequenceNumber: '10',
        SizeBytes: 1,
        StreamViewType: 'NEW_IMAGE',
      },
    };
    const client = {
      call: async (target: string, body: { ShardIterator?: string }) => {
        if (target.endsWith('DescribeStream')) return { StreamDescription: { Shards: [{ ShardId: 'shard-1' }] } };
        if (target.endsWith('GetShardIterator')) return { ShardIterator: 'it-0' };
        return body.ShardIterator === 'it-0' ? { Records: [record], NextShardIterator: 'it-1' } : { Records: [] };
      },
    } as unknown as DynamoRawClient;
    const invocations: string[] = [];
    const def: EventSourceMappingDef = {
      id: 'm',
      functionName: 'fn',
      eventSourceArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x',
      kind: 'dynamodb',
      enabled: true,
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      startingPosition: 'TRIM_HORIZON',
      filters: [],
      reportBatchItemFailures: false,
      bisectBatchOnFunctionError: false,
      maximumRetryAttempts: -1,
      maximumRecordAgeSeconds: -1,
      parallelizationFactor: 1,
      onFailureArn: undefined,
    };
    const mapping = new StreamMapping({
      def,
      client,
      localStreamArn: 'local-arn',
      streamArn: def.eventSourceArn,
      region: 'us-east-1',
      functionArn: fnDef.arn,
      invoke: async (_name, eventJson): Promise<InvocationResult> => {
        invocations.push(eventJson);
        return { requestId: 'r', ok: true, payload: 'null', durationMs: 1, timedOut: false, throttled: false };
      },
      faults: { streamBatch: (c) => (c.records.length ? { duplicates: 1 } : undefined) },
      metrics: new Metrics(),
      log: silent,
      sendToDestination: async () => {},
      store: new JsonStore(undefined),
      retryDelayMs: 1,
    });
    mapping.start();
    const deadline = Date.now() + 5_000;
    while (invocations.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await mapping.stop();
    expect(invocations).toHaveLength(2);
    expect(invocations[0]).toBe(invocations[1]);
    expect(mapping.checkpoints()['shard-1']?.seq).toBe('10');
  });
});
