import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classify } from '../../../scripts/ops/dead-letter';
import { describePlan, POISON_NOT_REDRIVEN, planRedrive } from '../../../scripts/ops/redrive-plan';
import { fixture, rawFixture } from './fixtures';

const orderPlaced = readFileSync(join(__dirname, '..', '..', 'fixtures', 'events', 'OrderPlaced.v1.json'), 'utf8');

describe('planRedrive: back to exactly where it failed', () => {
  it('a Lambda destination record: the same function, asynchronously, with the request payload', () => {
    const message = fixture('lambda-destination.local');
    const plan = planRedrive(message);
    expect(plan).toMatchObject({
      action: 'invoke',
      functionName: 'Commerce-dev-Stateless-NotificationsOrderNotifier6B28F03C',
      qualifier: undefined,
      invocationType: 'Event',
    });
    const payload = JSON.parse(plan.action === 'invoke' ? plan.payload : '{}');
    expect(payload).toEqual(message.record.kind === 'lambda-destination' ? message.record.requestPayload : undefined);
    expect(payload['detail-type']).toBe('OrderConfirmed');
  });

  it('a Lambda destination record of a version: that version; --sync invokes synchronously', () => {
    expect(planRedrive(fixture('lambda-destination.aws'), { sync: true })).toMatchObject({
      action: 'invoke',
      functionName: 'Commerce-prod-Stateless-OrdersCustomerOrdersProjectionA36AFC28',
      qualifier: '7',
      invocationType: 'RequestResponse',
    });
  });

  it('an EventBridge dead letter: that target only (not PutEvents, which would reach every rule)', () => {
    const message = fixture('eventbridge-target.local');
    const plan = planRedrive(message);
    expect(plan).toMatchObject({
      action: 'invoke',
      functionName: 'Commerce-dev-Stateless-NotificationsOrderNotifier6B28F03C',
      invocationType: 'Event',
    });
    expect(plan.action === 'invoke' && JSON.parse(plan.payload)).toEqual(
      message.record.kind === 'eventbridge-target' ? message.record.event : undefined,
    );
    expect(planRedrive(fixture('eventbridge-target.schedule'))).toMatchObject({
      action: 'invoke',
      functionName: 'Commerce-prod-Stateless-ReconcilerFunction0432B6FF',
    });
  });

  it.each([
    ['arn:aws:sqs:eu-west-1:1:some-queue', 'send-message'],
    ['arn:aws:states:eu-west-1:1:stateMachine:sm', 'start-execution'],
    ['arn:aws:events:eu-west-1:1:event-bus/other', 'put-event'],
    ['arn:aws:sns:eu-west-1:1:topic', 'skip'],
  ])('an EventBridge dead letter for target %s: %s', (targetArn, action) => {
    const raw = rawFixture('eventbridge-target.local');
    const plan = planRedrive(classify({ ...raw, attributes: { ...raw.attributes, TARGET_ARN: targetArn } }));
    expect(plan.action).toBe(action);
  });

  it('a stream on-failure record: re-read its sequence range and invoke the mapped function', () => {
    expect(planRedrive(fixture('stream-batch.local'))).toEqual({
      action: 'replay-stream',
      functionName: 'Commerce-dev-Stateless-PlatformOutboxRelayC81519A0',
      batch: {
        shardId: 'shardId-00000001795324308559-0c6dd792',
        startSequenceNumber: '000000000000000000032',
        endSequenceNumber: '000000000000000000032',
        streamArn:
          'arn:aws:dynamodb:us-east-1:000000000000:table/Commerce-dev-Stateful-DataTableFDBAD0F2/stream/2026-11-22T05:11:48.204',
        batchSize: 1,
        approximateArrivalOfFirstRecord: '2026-11-22T05:11:00Z',
        approximateArrivalOfLastRecord: '2026-11-22T05:11:00Z',
      },
    });
  });

  it('a poison outbox record: never by default, it would only be parked again', () => {
    expect(planRedrive(fixture('poison-outbox.local'))).toEqual({ action: 'skip', reason: POISON_NOT_REDRIVEN });
  });

  it('a poison outbox record with --force: only when the payload is now a valid event of the catalog', () => {
    expect(planRedrive(fixture('poison-outbox.local'), { force: true })).toMatchObject({
      action: 'skip',
      reason: expect.stringMatching(/^still not a valid event/),
    });
    const raw = rawFixture('poison-outbox.local');
    const body = JSON.parse(raw.body);
    const fixed = classify({ ...raw, body: JSON.stringify({ ...body, payload: orderPlaced }) });
    expect(planRedrive(fixed, { force: true })).toEqual({
      action: 'replay-outbox-payload',
      sequenceNumber: '000000000000000000033',
      payload: orderPlaced,
    });
    expect(planRedrive(fixed).action).toBe('skip'); // still needs --force
  });

  it('anything unrecognised is left where it is', () => {
    expect(planRedrive(fixture('unknown'))).toMatchObject({ action: 'skip' });
  });

  it('describes every plan in one line', () => {
    expect(describePlan(planRedrive(fixture('lambda-destination.local')))).toBe(
      'invoke Commerce-dev-Stateless-NotificationsOrderNotifier6B28F03C (asynchronously)',
    );
    expect(describePlan(planRedrive(fixture('stream-batch.aws')))).toMatch(
      /^re-read shardId-\S+ 4965\d+01\.\.4965\d+99 and invoke Commerce-prod-Stateless-PlatformOutboxRelayC81519A0; if the stream no longer has them, republish the outbox events of 2026-11-20T09:08:40\.000Z\.\.2026-11-20T09:14:41\.000Z$/,
    );
    expect(describePlan(planRedrive(fixture('poison-outbox.local')))).toMatch(/^skip: /);
  });
});
