import { selectPath, targetPayload } from '../../../local/eventbridge/target-input';
import type { TargetDef } from '../../../local/template/model';

const event = {
  version: '0',
  id: 'e-1',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING', list: [1, 2], note: 'say "hi"' },
};
const rule = { name: 'r', arn: 'arn:aws:events:us-east-1:000000000000:rule/r' };
const target = (t: Partial<TargetDef>): TargetDef => ({
  id: 'T',
  arn: 'arn',
  input: undefined,
  inputPath: undefined,
  inputTransformer: undefined,
  maximumRetryAttempts: 185,
  maximumEventAgeSeconds: 86_400,
  deadLetterArn: undefined,
  messageGroupId: undefined,
  ...t,
});

describe('rule target input', () => {
  it('selects with the JSONPath subset EventBridge accepts', () => {
    expect(selectPath(event, '$')).toBe(event);
    expect(selectPath(event, '$.detail.state')).toBe('RUNNING');
    expect(selectPath(event, "$.detail['instance-id']")).toBe('i-0123456789');
    expect(selectPath(event, '$.resources[0]')).toBe(event.resources[0]);
    expect(selectPath(event, '$.detail.missing')).toBeUndefined();
  });

  it('sends the whole event, a constant Input, or the InputPath selection', () => {
    expect(JSON.parse(targetPayload(event, target({}), rule))).toEqual(event);
    expect(targetPayload(event, target({ input: '{"fixed":true}' }), rule)).toBe('{"fixed":true}');
    expect(JSON.parse(targetPayload(event, target({ inputPath: '$.detail' }), rule))).toEqual(event.detail);
  });

  // The examples of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
  it('applies an InputTransformer as in the AWS documentation', () => {
    const paths = { instance: '$.detail.instance-id', state: '$.detail.state' };
    const text = targetPayload(
      event,
      target({ inputTransformer: { inputPathsMap: paths, inputTemplate: '"<instance> is in state <state>"' } }),
      rule,
    );
    expect(text).toBe('"i-0123456789 is in state RUNNING"');
    const json = targetPayload(
      event,
      target({
        inputTransformer: {
          inputPathsMap: { ...paths, list: '$.detail.list', note: '$.detail.note' },
          inputTemplate:
            '{"instance": <instance>, "state": "<state>", "list": <list>, "quoted": "<note>", "rule": "<aws.events.rule-name>"}',
        },
      }),
      rule,
    );
    expect(JSON.parse(json)).toEqual({
      instance: 'i-0123456789',
      state: 'RUNNING',
      list: [1, 2],
      quoted: 'say "hi"',
      rule: 'r',
    });
    const whole = targetPayload(
      event,
      target({ inputTransformer: { inputPathsMap: {}, inputTemplate: '{"e": <aws.events.event>}' } }),
      rule,
    );
    expect(JSON.parse(whole)).toEqual({ e: event });
  });
});
