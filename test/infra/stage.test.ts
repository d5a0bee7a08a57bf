/** Stages: the stage name from context, and two stages side by side in one app (and one account) without clashes. */
import { Template } from 'aws-cdk-lib/assertions';
import { buildCommerceApp } from '../../lib/app';
import { stackNames, stageFromContext } from '../../lib/stage';
import { flatten, normalizeStatements, resourcesOf } from './cfn';
import { testApp } from './synth';

const fromContext = (context: Record<string, unknown>) => stageFromContext((key) => context[key]);

describe('stageFromContext', () => {
  test.each(['Dev', 'dev_eu', '1dev', 'd', 'x'.repeat(17), 'dev stage', ''])(
    'rejects %p, showing the value and how to pass a good one',
    (name) => {
      expect(() => fromContext({ stage: name })).toThrow(`got '${name}'`);
      expect(() => fromContext({ stage: name })).toThrow("Context 'stage' must match");
      expect(() => fromContext({ stage: name })).toThrow('cdk deploy -c stage=');
    },
  );

  test('defaults to dev, and only prod is production', () => {
    expect(fromContext({})).toEqual({ name: 'dev', isProduction: false });
    expect(fromContext({ stage: 'prod' }).isProduction).toBe(true);
    expect(fromContext({ stage: 'staging' }).isProduction).toBe(false);
  });

  test('reads alarmEmail when it is a non-empty string', () => {
    expect(fromContext({ stage: 'qa', alarmEmail: 'ops@example.com' }).alarmEmail).toBe('ops@example.com');
    expect(fromContext({ stage: 'qa', alarmEmail: '' }).alarmEmail).toBeUndefined();
    expect(fromContext({ stage: 'qa', alarmEmail: 42 }).alarmEmail).toBeUndefined();
  });
});

describe('two stages side by side', () => {
  // Chosen so that one name is a prefix of the other: the easiest way for two stages' names to collide.
  const names = ['dev', 'dev-eu'] as const;
  const app = testApp();
  const built = names.map((name) => ({ name, stacks: buildCommerceApp(app, fromContext({ stage: name })) }));
  app.synth();
  const stages = built.map(({ name, stacks }) => ({
    name,
    stacks,
    stateful: Template.fromStack(stacks.stateful),
    stateless: Template.fromStack(stacks.stateless),
  }));

  /** Literal physical names (names CloudFormation does not generate) of one stage. */
  const PHYSICAL_NAMES = [
    'Name',
    'TableName',
    'QueueName',
    'FunctionName',
    'StateMachineName',
    'TopicName',
    'DashboardName',
    'LogGroupName',
    'RoleName',
  ];
  function physicalNames(...templates: Template[]): string[] {
    return templates.flatMap((template) =>
      Object.values(
        (template.toJSON() as { Resources: Record<string, { Properties?: Record<string, unknown> }> }).Resources,
      )
        .flatMap((resource) => PHYSICAL_NAMES.map((key) => resource.Properties?.[key]))
        .filter((value): value is string => typeof value === 'string'),
    );
  }

  test('have distinct stack names', () => {
    const stackNamesOfApp = stages.flatMap(({ stacks }) => [stacks.stateful.stackName, stacks.stateless.stackName]);
    expect(new Set(stackNamesOfApp).size).toBe(4);
    for (const { name, stacks } of stages) {
      expect([stacks.stateful.stackName, stacks.stateless.stackName]).toEqual([
        stackNames(name).stateful,
        stackNames(name).stateless,
      ]);
    }
  });

  test('name the bus, the API and the dashboard after their stage', () => {
    for (const { name, stateful, stateless } of stages) {
      stateful.hasResourceProperties('AWS::Events::EventBus', { Name: `commerce-${name}` });
      stateless.hasResourceProperties('AWS::ApiGatewayV2::Api', { Name: `commerce-${name}` });
      stateless.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: `commerce-${name}` });
    }
  });

  test('share no physical name', () => {
    const [first, second] = stages.map(({ stateful, stateless }) => physicalNames(stateful, stateless)) as [
      string[],
      string[],
    ];
    expect(first.length).toBeGreaterThanOrEqual(4);
    expect(first.filter((name) => second.includes(name))).toEqual([]);
  });

  test("each stage's dead-letter queues admit its own rules and not the other stage's", () => {
    const concrete = (pattern: string) =>
      pattern
        .replace('<AWS::Partition>', 'aws')
        .replace('<AWS::Region>', 'eu-west-1')
        .replace('<AWS::AccountId>', '123456789012');
    const matcher = (pattern: string) =>
      new RegExp(
        `^${concrete(pattern)
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      );
    const ruleArns = (name: string) => [
      `arn:aws:events:eu-west-1:123456789012:rule/commerce-${name}/Commerce-${name}-Stateless-OrderNotifier-1A2B3C`,
      `arn:aws:events:eu-west-1:123456789012:rule/${stackNames(name).stateless}-SubscriptionsSagaFailures-1A2B3C`,
    ];
    for (const own of stages) {
      const patterns = resourcesOf<{ PolicyDocument: Parameters<typeof normalizeStatements>[0] }>(
        own.stateful,
        'AWS::SQS::QueuePolicy',
      )
        .flatMap((policy) => normalizeStatements(policy.props.PolicyDocument))
        .filter((statement) => statement.Effect === 'Allow')
        .flatMap((statement) => (statement.Condition?.ArnLike?.['aws:SourceArn'] ?? []) as unknown[])
        .map((arn) => matcher(flatten(arn)));
      expect(patterns.length).toBeGreaterThan(0);
      for (const other of stages) {
        for (const arn of ruleArns(other.name)) {
          const admitted = patterns.some((pattern) => pattern.test(arn));
          expect({ queuesOf: own.name, arn, admitted }).toEqual({ queuesOf: own.name, arn, admitted: own === other });
        }
      }
    }
  });
});
