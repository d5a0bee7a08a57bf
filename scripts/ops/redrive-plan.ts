/**
 * What redriving a dead letter means, decided from the message alone (pure, so it is tested with recorded
 * messages): send it back to exactly the place where it failed, never to a wider audience.
 *
 *  - Lambda destination record → invoke that function again, asynchronously as before, with `requestPayload`.
 *  - EventBridge target dead letter → invoke that target again with the event. Not PutEvents on the bus: that
 *    would deliver it to every rule's targets again, not only the one that failed.
 *  - Stream on-failure record → read the records between its sequence numbers from the stream again, keep the
 *    ones the mapping's filter keeps, and invoke the mapped function (the relay) with them, synchronously like the
 *    mapping does. Chosen over publishing the outbox payloads with PutEvents from here: the relay validates each
 *    payload, parks poison, checks every PutEvents entry and answers which records still fail, and it knows its
 *    bus; a second publisher here would duplicate all of that. When the stream no longer has the records (kept 24 h),
 *    the executor falls back to republishing the outbox items written in the batch's time window (republish.ts).
 *  - Poison outbox record → not redriven: the relay parked it because the payload is not a valid event of the
 *    catalog, so sending it again fails again. `--force` hands it to the relay once more, for the one case where that
 *    can work: the catalog that rejected it has since been fixed or deployed (a producer wrote a new event version
 *    before the relay knew it). The payload is checked against this checkout's catalog first.
 */
import { validatePayload } from '../../functions/platform/domain/relay';
import type { DeadLetter, EventBridgeEvent, StreamBatchInfo } from './dead-letter';
import { batchWindow, windowText } from './republish';

export interface RedriveOptions {
  /** Hand poison outbox records to the relay again. */
  readonly force?: boolean;
  /** Invoke functions synchronously (RequestResponse) and keep the message when they fail again. */
  readonly sync?: boolean;
}

export type RedrivePlan =
  | {
      readonly action: 'invoke';
      readonly functionName: string;
      readonly qualifier: string | undefined;
      readonly invocationType: 'Event' | 'RequestResponse';
      readonly payload: string;
    }
  | { readonly action: 'send-message'; readonly queueArn: string; readonly body: string }
  | { readonly action: 'start-execution'; readonly stateMachineArn: string; readonly input: string }
  | { readonly action: 'put-event'; readonly eventBusArn: string; readonly event: EventBridgeEvent }
  | { readonly action: 'replay-stream'; readonly functionName: string; readonly batch: StreamBatchInfo }
  | { readonly action: 'replay-outbox-payload'; readonly sequenceNumber: string; readonly payload: string }
  | { readonly action: 'skip'; readonly reason: string };

export const POISON_NOT_REDRIVEN =
  'a poison outbox record is not a valid event of the catalog: the relay would park it again. Fix the producer, or ' +
  'if the catalog that rejected it has been fixed since, redrive with --force';

function arnParts(arn: string): { service: string; resource: string } | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return { service: parts[2] ?? '', resource: parts.slice(5).join(':') };
}

/** The target ARN of an EventBridge rule target → how to call that target directly. */
function planTarget(targetArn: string, event: EventBridgeEvent, options: RedriveOptions): RedrivePlan {
  const arn = arnParts(targetArn);
  const payload = JSON.stringify(event);
  switch (arn?.service) {
    case 'lambda': {
      const match = /^function:([^:]+)(?::([^:]+))?$/.exec(arn.resource);
      if (!match?.[1]) return { action: 'skip', reason: `not a function ARN: ${targetArn}` };
      return {
        action: 'invoke',
        functionName: match[1],
        qualifier: match[2] && match[2] !== '$LATEST' ? match[2] : undefined,
        // EventBridge invokes Lambda targets asynchronously.
        invocationType: options.sync ? 'RequestResponse' : 'Event',
        payload,
      };
    }
    case 'sqs':
      return { action: 'send-message', queueArn: targetArn, body: payload };
    case 'states':
      return { action: 'start-execution', stateMachineArn: targetArn, input: payload };
    case 'events':
      return { action: 'put-event', eventBusArn: targetArn, event };
    default:
      return { action: 'skip', reason: `targets of this kind are not redriven by this tool: ${targetArn}` };
  }
}

/**
 * The rule targets of this app receive the event as is (no Input/InputPath/InputTransformer), so the dead-lettered
 * event is exactly what the target got. A target with a transformer would need it applied first.
 */
export function planRedrive(message: DeadLetter, options: RedriveOptions = {}): RedrivePlan {
  const record = message.record;
  switch (record.kind) {
    case 'lambda-destination':
      return {
        action: 'invoke',
        functionName: record.functionName,
        qualifier: record.qualifier,
        invocationType: options.sync ? 'RequestResponse' : 'Event',
        payload: JSON.stringify(record.requestPayload ?? {}),
      };
    case 'eventbridge-target':
      return planTarget(record.targetArn, record.event, options);
    case 'stream-batch':
      return { action: 'replay-stream', functionName: record.functionName, batch: record.batch };
    case 'poison-outbox': {
      if (!options.force) return { action: 'skip', reason: POISON_NOT_REDRIVEN };
      const validated = validatePayload(record.payload);
      if ('error' in validated || record.payload === undefined) {
        const why = 'error' in validated ? validated.error : 'no payload';
        return { action: 'skip', reason: `still not a valid event for this checkout's catalog: ${why}` };
      }
      return { action: 'replay-outbox-payload', sequenceNumber: record.sequenceNumber, payload: record.payload };
    }
    case 'unknown':
      return { action: 'skip', reason: `not redriven: ${record.reason}` };
  }
}

/** One line saying what the plan does. */
export function describePlan(plan: RedrivePlan): string {
  switch (plan.action) {
    case 'invoke':
      return `invoke ${plan.functionName}${plan.qualifier ? `:${plan.qualifier}` : ''} (${plan.invocationType === 'Event' ? 'asynchronously' : 'synchronously'})`;
    case 'send-message':
      return `send the event to ${plan.queueArn}`;
    case 'start-execution':
      return `start an execution of ${plan.stateMachineArn}`;
    case 'put-event':
      return `put the event on ${plan.eventBusArn}`;
    case 'replay-stream': {
      const window = batchWindow(plan.batch);
      const fallback = window
        ? `; if the stream no longer has them, republish the outbox events of ${windowText(window)}`
        : '';
      return `re-read ${plan.batch.shardId} ${plan.batch.startSequenceNumber}..${plan.batch.endSequenceNumber} and invoke ${plan.functionName}${fallback}`;
    }
    case 'replay-outbox-payload':
      return `hand outbox record ${plan.sequenceNumber} to the relay again`;
    case 'skip':
      return `skip: ${plan.reason}`;
  }
}
