/**
 * The transactional outbox: an event is written as an item in the SAME TransactWriteItems as the state change it
 * describes. The table's stream carries outbox inserts to the relay (platform/handlers/outbox-relay.ts), which
 * publishes them to EventBridge. Nothing in this codebase publishes an event "after" a write.
 */
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { EventEnvelope } from '../events/envelope';
import { ENTITY, keys, OUTBOX_TTL_SECONDS, TABLE, ttlFromNow } from '../table/layout';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Attribute that holds the serialized envelope (a string: the relay forwards it as the EventBridge detail as is). */
export const OUTBOX_PAYLOAD_ATTRIBUTE = 'payload';
export const OUTBOX_TYPE_ATTRIBUTE = 'eventType';

/**
 * The event source mapping's filter (EventBridge pattern syntax on the stream record): outbox inserts only.
 * TTL deletions and every other item's changes never reach the relay.
 */
export const OUTBOX_STREAM_FILTER = {
  eventName: ['INSERT'],
  dynamodb: { Keys: { pk: { S: [{ prefix: keys.outboxPrefix }] } } },
};

export function outboxItem(envelope: EventEnvelope): Record<string, unknown> {
  return {
    ...keys.outbox(envelope.id),
    entity: ENTITY.outbox,
    [OUTBOX_TYPE_ATTRIBUTE]: envelope.type,
    subject: envelope.subject,
    [OUTBOX_PAYLOAD_ATTRIBUTE]: JSON.stringify(envelope),
    [TABLE.ttlAttribute]: ttlFromNow(OUTBOX_TTL_SECONDS, Date.parse(envelope.time)),
  };
}

export function outboxPut(tableName: string, envelope: EventEnvelope): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: outboxItem(envelope),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}
