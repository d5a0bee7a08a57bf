/**
 * Events: the custom bus and its archive, the outbox relay's stream mapping, one rule per subscription with retry and
 * a dead-letter queue on every hop, the saga-failures rule on the default bus, and queues that admit only this stage.
 */

import { EVENT_CATALOG } from '../../functions/shared/events/catalog';
import { SUBSCRIPTIONS, subscriptionPattern } from '../../functions/shared/events/subscriptions';
import { ENV } from '../../functions/shared/runtime/config';
import { keys, TABLE } from '../../functions/shared/table/layout';
import { RELAY_MAPPING } from '../../lib/constructs/domains/platform-service';
import { DLQ_IDS, type DlqKey } from '../../lib/constructs/events/dead-letter-queues';
import {
  DELIVERY_RETRY,
  PROCESSING_RETRY,
  type SubscriptionKey,
} from '../../lib/constructs/events/event-subscriptions';
import { stackNames } from '../../lib/stage';
import {
  type Found,
  flatten,
  normalizeStatements,
  pointerOf,
  pointsTo,
  resourceById,
  resourcesOf,
  roleOfFunction,
  statementsOfRole,
} from './cfn';
import { logicalIdOf, synthStage } from './synth';

interface RuleTarget {
  readonly Arn: unknown;
  readonly Id: string;
  readonly RetryPolicy?: { readonly MaximumRetryAttempts: number; readonly MaximumEventAgeInSeconds: number };
  readonly DeadLetterConfig?: { readonly Arn: unknown };
}
interface RuleProps {
  readonly Name?: string;
  readonly EventBusName?: unknown;
  readonly EventPattern?: Record<string, unknown>;
  readonly ScheduleExpression?: string;
  readonly State: string;
  readonly Targets: RuleTarget[];
}
interface EventInvokeConfigProps {
  readonly FunctionName: unknown;
  readonly MaximumRetryAttempts?: number;
  readonly MaximumEventAgeInSeconds?: number;
  readonly DestinationConfig?: { readonly OnFailure?: { readonly Destination: unknown } };
}
interface FunctionProps {
  readonly Environment?: { readonly Variables?: Record<string, unknown> };
}

const { stage, stacks, stateful, stateless } = synthStage('dev');
const busId = logicalIdOf(stacks.stateful.bus);
const tableId = logicalIdOf(stacks.stateful.table);
const stateMachineId = logicalIdOf(stacks.stateless.saga.stateMachine);
const dlqId = (key: DlqKey): string => logicalIdOf(stacks.stateful.deadLetterQueues[key]);

const rules = resourcesOf<RuleProps>(stateless, 'AWS::Events::Rule');
const rulesOnBus = rules.filter((rule) => pointsTo(rule.props.EventBusName, busId, 'Ref', stateful));
const invokeConfigs = resourcesOf<EventInvokeConfigProps>(stateless, 'AWS::Lambda::EventInvokeConfig');

/** The logical id of the function a rule target or mapping names. */
function functionIdOf(value: unknown): string {
  const pointer = pointerOf(value, stateful);
  if (!pointer) throw new Error(`Not a reference to a function: ${JSON.stringify(value)}`);
  return pointer.logicalId;
}

const serviceNameOf = (functionId: string): unknown =>
  resourceById<FunctionProps>(stateless, functionId).props.Environment?.Variables?.POWERTOOLS_SERVICE_NAME;

function invokeConfigOf(functionId: string): Found<EventInvokeConfigProps> {
  const configs = invokeConfigs.filter((config) => pointsTo(config.props.FunctionName, functionId, 'Ref'));
  expect(configs).toHaveLength(1);
  return configs[0] as Found<EventInvokeConfigProps>;
}

/** True when the function's role may send messages to the queue (needed by an on-failure destination). */
function canSendTo(functionId: string, queueId: string): boolean {
  return statementsOfRole(stateless, roleOfFunction(stateless, functionId)).some(
    (statement) =>
      statement.Effect === 'Allow' &&
      statement.Action.includes('sqs:SendMessage') &&
      statement.Resource.some((resource) => pointsTo(resource, queueId, 'Arn', stateful)),
  );
}

/** Asserts a rule delivers to exactly one function, with the delivery retry policy and the given DLQ. */
function expectDeliveryToFunction(rule: Found<RuleProps>, queueId: string): string {
  expect(rule.props.State).toBe('ENABLED');
  expect(rule.props.Targets).toHaveLength(1);
  const [target] = rule.props.Targets as [RuleTarget];
  expect(target.RetryPolicy).toEqual({
    MaximumRetryAttempts: DELIVERY_RETRY.retryAttempts,
    MaximumEventAgeInSeconds: DELIVERY_RETRY.maxEventAge.toSeconds(),
  });
  expect(pointsTo(target.DeadLetterConfig?.Arn, queueId, 'Arn', stateful)).toBe(true);
  const functionId = functionIdOf(target.Arn);
  expect(resourceById(stateless, functionId).resource.Type).toBe('AWS::Lambda::Function');
  return functionId;
}

/** Asserts the function's asynchronous invocations retry per PROCESSING_RETRY, then land in the queue. */
function expectProcessingFailuresTo(functionId: string, queueId: string): void {
  const config = invokeConfigOf(functionId).props;
  expect(config.MaximumRetryAttempts).toBe(PROCESSING_RETRY.retryAttempts);
  expect(config.MaximumEventAgeInSeconds).toBe(PROCESSING_RETRY.maxEventAge.toSeconds());
  expect(pointsTo(config.DestinationConfig?.OnFailure?.Destination, queueId, 'Arn', stateful)).toBe(true);
  expect(canSendTo(functionId, queueId)).toBe(true);
}

/** Asserts EventBridge may invoke the function, from that rule only. */
function expectInvokePermission(functionId: string, ruleId: string): void {
  stateless.hasResourceProperties('AWS::Lambda::Permission', {
    Action: 'lambda:InvokeFunction',
    Principal: 'events.amazonaws.com',
    FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
    SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
  });
}

describe('event bus and archive', () => {
  test('the custom bus is named after the stage', () => {
    stateful.resourceCountIs('AWS::Events::EventBus', 1);
    stateful.hasResourceProperties('AWS::Events::EventBus', { Name: `commerce-${stage.name}` });
  });

  test('an archive on the bus keeps every source of the event catalog, without narrowing the pattern further', () => {
    const archives = resourcesOf<{ SourceArn: unknown; EventPattern: { source: string[] }; RetentionDays: number }>(
      stateful,
      'AWS::Events::Archive',
    );
    expect(archives).toHaveLength(1);
    const [archive] = archives as [(typeof archives)[number]];
    expect(pointsTo(archive.props.SourceArn, busId, 'Arn')).toBe(true);
    const catalogSources = [...new Set(EVENT_CATALOG.map((definition) => definition.source))];
    expect(archive.props.EventPattern.source).toEqual(expect.arrayContaining(catalogSources));
    expect(Object.keys(archive.props.EventPattern)).toEqual(['source']);
    expect(archive.props.RetentionDays).toBeGreaterThan(0);
  });
});

describe('outbox relay stream mapping', () => {
  interface MappingProps {
    readonly EventSourceArn: unknown;
    readonly FunctionName: unknown;
    readonly FilterCriteria?: { readonly Filters: { readonly Pattern: string }[] };
    readonly FunctionResponseTypes?: string[];
    readonly BisectBatchOnFunctionError?: boolean;
    readonly MaximumRetryAttempts?: number;
    readonly MaximumRecordAgeInSeconds?: number;
    readonly BatchSize?: number;
    readonly ParallelizationFactor?: number;
    readonly MaximumBatchingWindowInSeconds?: number;
    readonly StartingPosition?: string;
    readonly DestinationConfig?: { readonly OnFailure?: { readonly Destination: unknown } };
  }
  const mappings = resourcesOf<MappingProps>(stateless, 'AWS::Lambda::EventSourceMapping');
  const mapping = (): MappingProps => {
    expect(mappings).toHaveLength(1);
    return (mappings[0] as Found<MappingProps>).props;
  };

  test('reads the table stream from the oldest record', () => {
    expect(pointsTo(mapping().EventSourceArn, tableId, 'StreamArn', stateful)).toBe(true);
    expect(mapping().StartingPosition).toBe('TRIM_HORIZON');
  });

  test('passes outbox inserts only (INSERT and a pk starting with the outbox prefix)', () => {
    const filters = mapping().FilterCriteria?.Filters ?? [];
    expect(filters).toHaveLength(1);
    expect(JSON.parse((filters[0] as { Pattern: string }).Pattern)).toEqual({
      eventName: ['INSERT'],
      dynamodb: { Keys: { [TABLE.partitionKey]: { S: [{ prefix: keys.outboxPrefix }] } } },
    });
  });

  test('reports partial batch failures and bisects failing batches', () => {
    expect(mapping().FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(mapping().BisectBatchOnFunctionError).toBe(true);
  });

  test('retries a bounded number of times, for a bounded record age, with the batching of RELAY_MAPPING', () => {
    const props = mapping();
    expect(props.MaximumRetryAttempts).toBe(RELAY_MAPPING.retryAttempts);
    expect(props.MaximumRecordAgeInSeconds).toBe(RELAY_MAPPING.maxRecordAge.toSeconds());
    // -1 would mean "retry until the record expires" (24 h of a blocked shard).
    expect(props.MaximumRetryAttempts).toBeGreaterThanOrEqual(0);
    expect(props.MaximumRecordAgeInSeconds).toBeGreaterThan(0);
    expect(props.BatchSize).toBe(RELAY_MAPPING.batchSize);
    expect(props.ParallelizationFactor).toBe(RELAY_MAPPING.parallelizationFactor);
    expect(props.MaximumBatchingWindowInSeconds).toBe(RELAY_MAPPING.maxBatchingWindow.toSeconds());
  });

  test('sends what still fails to the relay dead-letter queue, which the relay may write to', () => {
    const queueId = dlqId('outboxRelay');
    expect(pointsTo(mapping().DestinationConfig?.OnFailure?.Destination, queueId, 'Arn', stateful)).toBe(true);
    expect(canSendTo(functionIdOf(mapping().FunctionName), queueId)).toBe(true);
  });

  test('feeds the relay, which publishes to the custom bus', () => {
    const relayId = functionIdOf(mapping().FunctionName);
    const variables = resourceById<FunctionProps>(stateless, relayId).props.Environment?.Variables ?? {};
    expect(pointsTo(variables[ENV.eventBusName], busId, 'Ref', stateful)).toBe(true);
  });
});

describe('subscriptions', () => {
  const entries = Object.entries(SUBSCRIPTIONS) as [SubscriptionKey, (typeof SUBSCRIPTIONS)[SubscriptionKey]][];

  test('one rule per subscription on the custom bus, and no other', () => {
    expect(rulesOnBus).toHaveLength(entries.length);
  });

  test.each(entries)('%s: a rule on the custom bus with the pattern of the subscription', (_key, subscription) => {
    const matching = rulesOnBus.filter(
      (rule) => JSON.stringify(rule.props.EventPattern) === JSON.stringify(subscriptionPattern(subscription)),
    );
    expect(matching).toHaveLength(1);
    expect((matching[0] as Found<RuleProps>).props.EventPattern).toEqual(subscriptionPattern(subscription));
  });

  test.each(entries)(
    '%s: delivery retries, then the subscription DLQ; processing retries, then the same DLQ',
    (key, subscription) => {
      const rule = rulesOnBus.find(
        (candidate) =>
          JSON.stringify(candidate.props.EventPattern) === JSON.stringify(subscriptionPattern(subscription)),
      );
      if (!rule) throw new Error(`No rule for subscription ${key}`);
      const queueId = dlqId(key);
      const functionId = expectDeliveryToFunction(rule, queueId);
      expect(serviceNameOf(functionId)).toBe(subscription.consumer);
      expectProcessingFailuresTo(functionId, queueId);
      expectInvokePermission(functionId, rule.id);
    },
  );

  test('every dead-letter queue of DLQ_IDS exists, and the subscriptions use distinct queues', () => {
    const queueIds = resourcesOf(stateful, 'AWS::SQS::Queue').map((queue) => queue.id);
    const expected = (Object.keys(DLQ_IDS) as DlqKey[]).map(dlqId);
    expect([...queueIds].sort()).toEqual([...expected].sort());
    expect(new Set(entries.map(([key]) => dlqId(key))).size).toBe(entries.length);
  });
});

describe('saga failures', () => {
  const sagaFailureRules = rules.filter(
    (rule) => JSON.stringify(rule.props.EventPattern?.source) === JSON.stringify(['aws.states']),
  );

  test('one rule on the default bus matches failed, timed-out and aborted executions of the checkout saga', () => {
    expect(sagaFailureRules).toHaveLength(1);
    const [rule] = sagaFailureRules as [Found<RuleProps>];
    expect(rule.props.EventBusName).toBeUndefined();
    // AWS's own names (Step Functions execution status change events), written out as the documentation has them.
    expect(rule.props.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { stateMachineArn: [{ Ref: stateMachineId }], status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
    });
  });

  test('reaches the saga-failure recorder with retries, its own DLQ and processing retries', () => {
    const [rule] = sagaFailureRules as [Found<RuleProps>];
    const queueId = dlqId('sagaFailureRecorder');
    const functionId = expectDeliveryToFunction(rule, queueId);
    expect(serviceNameOf(functionId)).toBe('orders');
    expectProcessingFailuresTo(functionId, queueId);
    expectInvokePermission(functionId, rule.id);
  });
});

describe('every asynchronous hop', () => {
  const stageQueues = new Set(resourcesOf(stateful, 'AWS::SQS::Queue').map((queue) => queue.id));

  test('every target of every rule has a retry policy and a dead-letter queue of this stage', () => {
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      for (const target of rule.props.Targets) {
        const queue = pointerOf(target.DeadLetterConfig?.Arn, stateful)?.logicalId ?? '';
        const hop = { rule: rule.id, retry: target.RetryPolicy !== undefined, deadLetterQueue: stageQueues.has(queue) };
        expect(hop).toEqual({ rule: rule.id, retry: true, deadLetterQueue: true });
      }
    }
  });

  test('every function a rule invokes sends failed asynchronous invocations to a dead-letter queue of this stage', () => {
    for (const rule of rules) {
      for (const target of rule.props.Targets) {
        const config = invokeConfigOf(functionIdOf(target.Arn)).props;
        const queue = pointerOf(config.DestinationConfig?.OnFailure?.Destination, stateful);
        expect({ rule: rule.id, queue: stageQueues.has(queue?.logicalId ?? '') }).toEqual({
          rule: rule.id,
          queue: true,
        });
      }
    }
  });
});

describe('dead-letter queue policies', () => {
  interface QueuePolicyProps {
    readonly Queues: unknown[];
    readonly PolicyDocument: Parameters<typeof normalizeStatements>[0];
  }
  const policies = resourcesOf<QueuePolicyProps>(stateful, 'AWS::SQS::QueuePolicy');
  const queues = resourcesOf<{ SqsManagedSseEnabled?: boolean; KmsMasterKeyId?: unknown }>(stateful, 'AWS::SQS::Queue');
  const ruleArn = (path: string) => `arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:rule/${path}`;

  const statementsOf = (queueId: string) =>
    policies
      .filter((policy) => policy.props.Queues.some((queue) => pointsTo(queue, queueId, 'Ref')))
      .flatMap((policy) => normalizeStatements(policy.props.PolicyDocument));

  test.each(queues.map((queue) => [queue.id, queue] as const))(
    '%s admits EventBridge only for the rules of this stage',
    (queueId) => {
      const allows = statementsOf(queueId).filter((statement) => statement.Effect === 'Allow');
      expect(allows).toHaveLength(1);
      const [allow] = allows as [(typeof allows)[number]];
      expect(allow.Principal).toEqual({ Service: 'events.amazonaws.com' });
      expect(allow.Action).toEqual(['sqs:SendMessage']);
      expect(allow.Resource.map((resource) => pointerOf(resource))).toEqual([{ logicalId: queueId, attribute: 'Arn' }]);
      expect(Object.keys(allow.Condition ?? {})).toEqual(['ArnLike']);
      const sourceArns = (allow.Condition?.ArnLike?.['aws:SourceArn'] ?? []) as unknown[];
      expect(sourceArns.map((arn) => flatten(arn))).toEqual([
        ruleArn(`commerce-${stage.name}/*`),
        ruleArn(`${stackNames(stage.name).stateless}*`),
      ]);
    },
  );

  test.each(queues.map((queue) => [queue.id, queue] as const))(
    '%s is encrypted and refuses requests without TLS',
    (queueId, queue) => {
      expect(queue.props.SqsManagedSseEnabled === true || queue.props.KmsMasterKeyId !== undefined).toBe(true);
      expect(statementsOf(queueId)).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: ['sqs:*'],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    },
  );

  test('rules on the default bus keep the name CloudFormation generates from the stack name (the policy matches it)', () => {
    const onDefaultBus = rules.filter((rule) => rule.props.EventBusName === undefined);
    expect(onDefaultBus.length).toBeGreaterThan(0);
    for (const rule of onDefaultBus) {
      if (rule.props.Name !== undefined)
        expect(rule.props.Name.startsWith(stackNames(stage.name).stateless)).toBe(true);
    }
  });
});
