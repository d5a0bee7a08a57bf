import { attemptsOf, classify, errorOf, originOf, parseFunctionArn, subjectOf } from '../../../scripts/ops/dead-letter';
import { summarize } from '../../../scripts/ops/dead-letters';
import { FIXTURES, fixture, SENT_AT } from './fixtures';

describe('classify recorded dead letters', () => {
  it.each([
    ['lambda-destination.local', 'lambda-destination'],
    ['lambda-destination.aws', 'lambda-destination'],
    ['stream-batch.local', 'stream-batch'],
    ['stream-batch.aws', 'stream-batch'],
    ['poison-outbox.local', 'poison-outbox'],
    ['eventbridge-target.local', 'eventbridge-target'],
    ['eventbridge-target.schedule', 'eventbridge-target'],
    ['unknown', 'unknown'],
  ] as const)('%s is a %s', (name, kind) => {
    expect(fixture(name).record.kind).toBe(kind);
  });

  it('reads a Lambda destination record: function, attempts, the error and the event it carried', () => {
    const { record } = fixture('lambda-destination.local');
    expect(record).toMatchObject({
      functionName: 'Commerce-dev-Stateless-NotificationsOrderNotifier6B28F03C',
      qualifier: undefined, // $LATEST is what an unqualified invoke runs
      condition: 'RetriesExhausted',
      attempts: 3,
    });
    expect(errorOf(record)).toBe('RetriesExhausted: NotifierDown: the channel is down');
    expect(subjectOf(record)).toBe('OrderConfirmed 01M80TP0YCQ2J484WX4C57SPZT');
  });

  it('keeps the qualifier of a versioned function and an error without a type', () => {
    const { record } = fixture('lambda-destination.aws');
    expect(record).toMatchObject({ qualifier: '7', attempts: 3 });
    expect(errorOf(record)).toMatch(/^RetriesExhausted: RequestId: .* Task timed out after 10.01 seconds$/);
    expect(originOf(record)).toBe('Commerce-prod-Stateless-OrdersCustomerOrdersProjectionA36AFC28:7');
  });

  it('reads a stream on-failure record: a pointer to the records, not the records', () => {
    const { record } = fixture('stream-batch.aws');
    expect(record).toMatchObject({
      kind: 'stream-batch',
      functionName: 'Commerce-prod-Stateless-PlatformOutboxRelayC81519A0',
      attempts: 11,
      batch: {
        shardId: 'shardId-00000001795000000000-0a1b2c3d',
        startSequenceNumber: '49656300000000000000000000000000000000000000000000000001',
        endSequenceNumber: '49656300000000000000000000000000000000000000000000000099',
        batchSize: 25,
      },
    });
    expect(errorOf(record)).toContain('RetryAttemptsExhausted');
    expect(subjectOf(record)).toBe('25 record(s)');
  });

  it('reads a poison outbox record: parked once, with the relay error', () => {
    const { record } = fixture('poison-outbox.local');
    expect(record.kind).toBe('poison-outbox');
    expect(errorOf(record)).toMatch(/^invalid envelope/);
    expect(attemptsOf(record)).toBe(1);
    expect(originOf(record)).toBe('outbox record 000000000000000000033 (parked by the relay)');
  });

  it('reads an EventBridge dead letter from its attributes: rule, target, error and attempts (retries + 1)', () => {
    const { record } = fixture('eventbridge-target.schedule');
    expect(record).toMatchObject({
      kind: 'eventbridge-target',
      ruleArn: 'arn:aws:events:eu-west-1:123456789012:rule/Commerce-prod-Stateless-ReconcilerSchedule',
      errorCode: 'SDK_CLIENT_ERROR',
      attempts: 3,
    });
    expect(errorOf(record)).toBe('SDK_CLIENT_ERROR: Unable to invoke Lambda function: Rate Exceeded.');
    expect(originOf(record)).toBe(
      'Commerce-prod-Stateless-ReconcilerSchedule → Commerce-prod-Stateless-ReconcilerFunction0432B6FF',
    );
    expect(subjectOf(fixture('eventbridge-target.local').record)).toBe('OrderConfirmed 01M80TP0YCQ2J484WX4C57SPZT');
  });

  it('never throws: a body that is not JSON, or JSON of no known shape, is unknown with a reason', () => {
    expect(errorOf(fixture('unknown').record)).toBe('the body is not JSON');
    const other = classify({ messageId: 'x', body: '{"hello":"world"}', attributes: {}, sentAt: undefined });
    expect(other.record.kind).toBe('unknown');
    const badEvent = classify({
      messageId: 'y',
      body: '[1,2]',
      attributes: { RULE_ARN: 'arn:aws:events:r:1:rule/x', TARGET_ARN: 'arn:aws:lambda:r:1:function:f' },
      sentAt: undefined,
    });
    expect(errorOf(badEvent.record)).toMatch(/body is not an event/);
  });

  it('summarizes every recorded kind in one line of facts (kind, age, error, attempts)', () => {
    for (const name of FIXTURES) {
      const summary = summarize(fixture(name), SENT_AT + 90_000);
      expect(summary).toMatchObject({ messageId: `msg-${name}`, ageSeconds: 90, sentAt: '2026-11-22T05:12:00.000Z' });
      expect(summary.error).not.toMatch(/\n/);
      expect(summary.error.length).toBeGreaterThan(0);
    }
  });
});

describe('parseFunctionArn', () => {
  it.each([
    ['arn:aws:lambda:us-east-1:1:function:fn', 'fn', undefined],
    ['arn:aws:lambda:us-east-1:1:function:fn:$LATEST', 'fn', undefined],
    ['arn:aws:lambda:us-east-1:1:function:fn:live', 'fn', 'live'],
    ['fn', 'fn', undefined],
  ])('%s → %s %s', (arn, functionName, qualifier) => {
    expect(parseFunctionArn(arn)).toEqual({ functionName, qualifier });
  });
});
