/**
 * Lambda functions: the house defaults on every one (runtime, arm64, tracing, log group, Powertools), and least
 * privilege read from the IAM policies attached to their roles.
 */
import { ROUTES } from '../../functions/http-api';
import { SOURCES } from '../../functions/shared/events/catalog';
import { SUBSCRIPTIONS, subscriptionPattern } from '../../functions/shared/events/subscriptions';
import { ENV } from '../../functions/shared/runtime/config';
import { AppFunction } from '../../lib/constructs/app-function';
import {
  flatten,
  functionOfRoute,
  managedPoliciesOfRole,
  type PolicyStatement,
  pointerOf,
  pointsTo,
  resourceById,
  resourcesOf,
  roleOfFunction,
  statementsOfRole,
} from './cfn';
import { logicalIdOf, synthStage } from './synth';

interface FunctionProps {
  readonly Runtime: string;
  readonly Architectures?: string[];
  readonly TracingConfig?: { readonly Mode: string };
  readonly LoggingConfig?: { readonly LogGroup?: unknown; readonly LogFormat?: string };
  readonly Environment?: { readonly Variables?: Record<string, unknown> };
}

const { stacks, stateful, stateless } = synthStage('dev');
const tableId = logicalIdOf(stacks.stateful.table);
const busId = logicalIdOf(stacks.stateful.bus);
const stateMachineId = logicalIdOf(stacks.stateless.saga.stateMachine);

/** Singleton functions CDK adds for its own custom resources (none today; listed so that adding one stays easy). */
const CDK_INTERNAL = /^(AWS[0-9a-f]{32}|LogRetention[0-9a-f]{32}|Custom[A-Za-z0-9]*CustomResourceProvider|CustomCDK)/;

const functions = resourcesOf<FunctionProps>(stateless, 'AWS::Lambda::Function').filter(
  (fn) => !CDK_INTERNAL.test(fn.id),
);
const functionIds = functions.map((fn) => fn.id);
const variablesOf = (id: string): Record<string, unknown> =>
  resourceById<FunctionProps>(stateless, id).props.Environment?.Variables ?? {};
const statementsOf = (id: string): PolicyStatement[] =>
  statementsOfRole(stateless, roleOfFunction(stateless, id)).filter((statement) => statement.Effect === 'Allow');

/** Resources of the table (its ARN, its indexes) as they appear flattened: `<Table.Arn>`, `<Table.Arn>/index/*`. */
const isTableResource = (resource: unknown): boolean => {
  const flat = flatten(resource, stateful);
  return flat === `<${tableId}.Arn>` || flat.startsWith(`<${tableId}.Arn>/`);
};

/** The actions a function may perform on the table's data (not its stream). */
const tableActionsOf = (id: string): string[] =>
  statementsOf(id)
    .filter((statement) => statement.Resource.some(isTableResource))
    .flatMap((statement) => statement.Action);

/** What CDK's grantReadData allows: none of it writes. */
const READ_ACTIONS = new Set([
  'dynamodb:BatchGetItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:Query',
  'dynamodb:Scan',
]);
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

describe('every function', () => {
  test('is built by the house construct (AppFunction)', () => {
    const houseFunctions = stacks.stateless.node
      .findAll()
      .filter((construct): construct is AppFunction => construct instanceof AppFunction)
      .map(logicalIdOf);
    expect([...functionIds].sort()).toEqual([...houseFunctions].sort());
    expect(functionIds.length).toBeGreaterThanOrEqual(ROUTES.length);
  });

  test.each(functionIds)('%s runs nodejs22.x or newer on arm64 with active tracing', (id) => {
    const { props } = resourceById<FunctionProps>(stateless, id);
    const version = Number(/^nodejs(\d+)\.x$/.exec(props.Runtime)?.[1] ?? 0);
    expect(version).toBeGreaterThanOrEqual(22);
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.TracingConfig).toEqual({ Mode: 'Active' });
  });

  test.each(functionIds)('%s logs JSON to its own log group, which has a retention', (id) => {
    const logging = resourceById<FunctionProps>(stateless, id).props.LoggingConfig;
    expect(logging?.LogFormat).toBe('JSON');
    const logGroupId = pointerOf(logging?.LogGroup)?.logicalId ?? '';
    const logGroup = resourceById<{ RetentionInDays?: number }>(stateless, logGroupId);
    expect(logGroup.resource.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.props.RetentionInDays).toBeGreaterThan(0);
    const sharing = functions.filter((fn) => pointsTo(fn.props.LoggingConfig?.LogGroup, logGroupId, 'Ref'));
    expect(sharing.map((fn) => fn.id)).toEqual([id]);
  });

  test.each(functionIds)('%s names its domain in POWERTOOLS_SERVICE_NAME', (id) => {
    expect(Object.keys(SOURCES)).toContain(variablesOf(id).POWERTOOLS_SERVICE_NAME);
  });

  test.each(functionIds)('%s gets TABLE_NAME (this table) exactly when it may use the table data', (id) => {
    const tableName = variablesOf(id)[ENV.tableName];
    const usesTable = tableActionsOf(id).length > 0;
    expect({ tableName: tableName !== undefined, usesTable }).toEqual({ tableName: usesTable, usesTable });
    if (tableName !== undefined) expect(pointsTo(tableName, tableId, 'Ref', stateful)).toBe(true);
  });

  test.each(functionIds)('%s has no wildcard actions and only the basic execution managed policy', (id) => {
    for (const statement of statementsOf(id)) {
      for (const action of statement.Action) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
    }
    expect(managedPoliciesOfRole(stateless, roleOfFunction(stateless, id))).toEqual([
      'arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
    ]);
  });
});

describe('least privilege on the table', () => {
  const routeCases = ROUTES.map((route) => [`${route.method} ${route.path}`, route] as const);

  test.each(routeCases.filter(([, route]) => route.method === 'GET'))(
    '%s reads the table and cannot write it',
    (key) => {
      const actions = tableActionsOf(functionOfRoute(stateless, key));
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
      for (const action of actions) expect(READ_ACTIONS).toContain(action);
    },
  );

  test.each(routeCases)('%s has the table access its route declares', (key, route) => {
    const actions = tableActionsOf(functionOfRoute(stateless, key));
    const writes = WRITE_ACTIONS.filter((action) => actions.includes(action));
    expect(writes.length > 0).toBe(route.access === 'readWrite');
  });
});

describe('outbox relay', () => {
  const [mapping] = resourcesOf<{ FunctionName: unknown }>(stateless, 'AWS::Lambda::EventSourceMapping');
  const relayId = pointerOf(mapping?.props.FunctionName)?.logicalId ?? '';

  test('can PutEvents on the custom bus only', () => {
    const eventStatements = statementsOf(relayId).filter((statement) =>
      statement.Action.some((action) => action.startsWith('events:')),
    );
    expect(eventStatements.length).toBeGreaterThan(0);
    for (const statement of eventStatements) {
      expect(statement.Action).toEqual(['events:PutEvents']);
      for (const resource of statement.Resource) expect(pointsTo(resource, busId, 'Arn', stateful)).toBe(true);
    }
    expect(pointsTo(variablesOf(relayId)[ENV.eventBusName], busId, 'Ref', stateful)).toBe(true);
  });

  test('has no access to the table data, only to its stream', () => {
    expect(tableActionsOf(relayId)).toEqual([]);
    expect(variablesOf(relayId)[ENV.tableName]).toBeUndefined();
    const dynamodb = statementsOf(relayId).filter((statement) =>
      statement.Action.some((action) => action.startsWith('dynamodb:')),
    );
    for (const statement of dynamodb) {
      for (const action of statement.Action.filter((name) => name.startsWith('dynamodb:'))) {
        expect([
          'dynamodb:DescribeStream',
          'dynamodb:GetRecords',
          'dynamodb:GetShardIterator',
          'dynamodb:ListStreams',
        ]).toContain(action);
      }
      for (const resource of statement.Resource) {
        expect(resource === '*' || pointsTo(resource, tableId, 'StreamArn', stateful)).toBe(true);
      }
    }
  });

  test('is the only function that may publish events', () => {
    const publishers = functionIds.filter((id) =>
      statementsOf(id).some((statement) => statement.Action.includes('events:PutEvents')),
    );
    expect(publishers).toEqual([relayId]);
  });
});

describe('saga starter', () => {
  const pattern = JSON.stringify(subscriptionPattern(SUBSCRIPTIONS.checkoutStarter));
  const [rule] = resourcesOf<{ EventPattern?: unknown; Targets: { Arn: unknown }[] }>(
    stateless,
    'AWS::Events::Rule',
  ).filter((candidate) => JSON.stringify(candidate.props.EventPattern) === pattern);
  const starterId = pointerOf(rule?.props.Targets[0]?.Arn)?.logicalId ?? '';

  test('can StartExecution on the checkout state machine only', () => {
    const statesStatements = statementsOf(starterId).filter((statement) =>
      statement.Action.some((action) => action.startsWith('states:')),
    );
    expect(statesStatements).toHaveLength(1);
    expect(statesStatements[0]?.Action).toEqual(['states:StartExecution']);
    expect(statesStatements[0]?.Resource).toEqual([{ Ref: stateMachineId }]);
    expect(variablesOf(starterId)[ENV.stateMachineArn]).toEqual({ Ref: stateMachineId });
  });

  test('no function may start executions of anything but the checkout state machine', () => {
    for (const id of functionIds) {
      for (const statement of statementsOf(id).filter((s) => s.Action.includes('states:StartExecution'))) {
        expect(statement.Resource).toEqual([{ Ref: stateMachineId }]);
      }
    }
  });
});
