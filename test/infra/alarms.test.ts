/** Alarms on every asynchronous hop (each to the alarm topic) and the dashboard. */
import { DLQ_IDS, type DlqKey } from '../../lib/constructs/events/dead-letter-queues';
import { ALARM_THRESHOLDS } from '../../lib/constructs/observability/observability';
import { type Found, flatten, pointerOf, pointsTo, resourcesOf } from './cfn';
import { logicalIdOf, synthStage } from './synth';

interface AlarmProps {
  readonly Namespace?: string;
  readonly MetricName?: string;
  readonly Dimensions?: { readonly Name: string; readonly Value: unknown }[];
  readonly Threshold: number;
  readonly ComparisonOperator: string;
  readonly Statistic?: string;
  readonly AlarmActions?: unknown[];
}

const { stage, stacks, stateful, stateless } = synthStage('dev');
const alarms = resourcesOf<AlarmProps>(stateless, 'AWS::CloudWatch::Alarm');
const topics = resourcesOf(stateless, 'AWS::SNS::Topic');
const stateMachineId = logicalIdOf(stacks.stateless.saga.stateMachine);
const apiId = logicalIdOf(stacks.stateless.api.httpApi);
const [mapping] = resourcesOf<{ FunctionName: unknown }>(stateless, 'AWS::Lambda::EventSourceMapping');
const relayId = pointerOf(mapping?.props.FunctionName)?.logicalId ?? '';

/** The alarms on one metric with one dimension pointing at a resource. */
function alarmsOn(namespace: string, metricName: string, dimension: string, logicalId: string, attribute: string) {
  return alarms.filter(
    (alarm) =>
      alarm.props.Namespace === namespace &&
      alarm.props.MetricName === metricName &&
      alarm.props.Dimensions?.length === 1 &&
      alarm.props.Dimensions[0]?.Name === dimension &&
      pointsTo(alarm.props.Dimensions[0]?.Value, logicalId, attribute, stateful),
  );
}

/** Exactly one such alarm, firing at `>= threshold`. */
function expectOneAlarm(found: Found<AlarmProps>[], threshold: number): AlarmProps {
  expect(found).toHaveLength(1);
  const [alarm] = found as [Found<AlarmProps>];
  expect(alarm.props.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
  expect(alarm.props.Threshold).toBe(threshold);
  return alarm.props;
}

describe('alarms', () => {
  test.each(Object.keys(DLQ_IDS) as DlqKey[])('the %s dead-letter queue alarms on its first message', (key) => {
    const queueId = logicalIdOf(stacks.stateful.deadLetterQueues[key]);
    const alarm = expectOneAlarm(
      alarmsOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', queueId, 'QueueName'),
      1,
    );
    expect(alarm.Statistic).toBe('Maximum');
  });

  test('every queue of the stateful stack has its alarm', () => {
    const queueAlarms = alarms.filter((alarm) => alarm.props.Namespace === 'AWS/SQS');
    expect(queueAlarms).toHaveLength(resourcesOf(stateful, 'AWS::SQS::Queue').length);
  });

  test('the relay alarms when its iterator age reaches ALARM_THRESHOLDS.iteratorAgeMs', () => {
    const alarm = expectOneAlarm(
      alarmsOn('AWS/Lambda', 'IteratorAge', 'FunctionName', relayId, 'Ref'),
      ALARM_THRESHOLDS.iteratorAgeMs,
    );
    expect(alarm.Statistic).toBe('Maximum');
  });

  test.each(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'])(
    'the checkout state machine alarms on %s',
    (metricName) => {
      expectOneAlarm(alarmsOn('AWS/States', metricName, 'StateMachineArn', stateMachineId, 'Ref'), 1);
    },
  );

  test('the HTTP API alarms on its first 5xx', () => {
    expectOneAlarm(alarmsOn('AWS/ApiGateway', '5xx', 'ApiId', apiId, 'Ref'), 1);
  });

  test('every alarm notifies the alarm topic', () => {
    expect(topics).toHaveLength(1);
    const topicId = (topics[0] as Found<unknown>).id;
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect({ alarm: alarm.id, actions: alarm.props.AlarmActions }).toEqual({
        alarm: alarm.id,
        actions: [{ Ref: topicId }],
      });
    }
  });

  test('the alarm topic e-mails nobody unless alarmEmail is set, and then that address', () => {
    stateless.resourceCountIs('AWS::SNS::Subscription', 0);
    const withEmail = synthStage(stage.name, { alarmEmail: 'ops@example.com' });
    const topicId = (resourcesOf(withEmail.stateless, 'AWS::SNS::Topic')[0] as Found<unknown>).id;
    withEmail.stateless.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: topicId },
    });
  });
});

describe('dashboard', () => {
  const dashboards = resourcesOf<{ DashboardName: string; DashboardBody: unknown }>(
    stateless,
    'AWS::CloudWatch::Dashboard',
  );

  test('exists, named after the stage', () => {
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]?.props.DashboardName).toBe(`commerce-${stage.name}`);
  });

  test('shows every dead-letter queue, the relay iterator age, the saga executions and the API errors', () => {
    const body = flatten(dashboards[0]?.props.DashboardBody, stateful);
    for (const queue of Object.values(stacks.stateful.deadLetterQueues)) {
      expect(body).toContain(`<${logicalIdOf(queue)}.QueueName>`);
    }
    for (const metric of ['IteratorAge', 'ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted', '5xx']) {
      expect(body).toContain(`"${metric}"`);
    }
    expect(body).toContain(`<${stateMachineId}>`);
    expect(body).toContain(`<${apiId}>`);
  });
});
