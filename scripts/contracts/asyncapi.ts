/**
 * AsyncAPI 3.0 for the events, generated from THE event catalog (functions/shared/events/catalog.ts) and who consumes
 * what (functions/shared/events/subscriptions.ts). `npm run contracts` writes docs/api/asyncapi.json; a unit test
 * fails when it is stale.
 *
 * One channel (the custom bus), one message per event type and version (payload = the envelope with that event's
 * data, the very schema `parseEvent` checks), one `send` operation per producing domain and one `receive` operation
 * per subscription (= EventBridge rule). EventBridge has no AsyncAPI binding: its `source`/`detail-type` are the
 * message headers and an `x-eventbridge` extension.
 *
 * Payloads are written as zod's input, what `parseEvent` accepts: `z.object` ignores unknown keys, so adding an
 * optional field to `data` is not a breaking change for a consumer built from this document either.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as z from 'zod';
import {
  type AnyEventDefinition,
  cancelReasonSchema,
  currencySchema,
  type Domain,
  EVENT_CATALOG,
  notificationTypeSchema,
  repairKindSchema,
  SOURCES,
  skuSchema,
} from '../../functions/shared/events/catalog';
import { SUBSCRIPTIONS, type Subscription, subscriptionPattern } from '../../functions/shared/events/subscriptions';
import {
  detailComponentName,
  eventEnvelopeOf,
  eventSchemaName,
} from '../../lib/constructs/events/event-schema-content';
import { version } from '../../package.json';
import { convertNamed, type JsonSchema, SchemaNames, TIMESTAMP_COMPONENT, timestampSchema } from './json-schema';
import { ROOT, writeContract } from './render';

export const ASYNCAPI_FILE = 'docs/api/asyncapi.json';

const CHANNEL = 'commerceBus';
const FIXTURES = join(ROOT, 'test', 'fixtures', 'events');

/** Small schemas many events share: written once as components and referenced. */
const SHARED: readonly [string, z.ZodType][] = [
  ['Sku', skuSchema],
  ['Currency', currencySchema],
  ['CancelReason', cancelReasonSchema],
  ['NotificationType', notificationTypeSchema],
  ['RepairKind', repairKindSchema],
];

/** The key of an event's message (and of its operations' references): `OrderPlaced.v1`. */
export const messageKey = (def: AnyEventDefinition): string => `${def.type}.v${def.version}`;

/** The operation a producing domain publishes with: `publishOrdersEvents`. */
export const sendOperationKey = (producer: Domain): string =>
  `publish${producer.charAt(0).toUpperCase()}${producer.slice(1)}Events`;

// Messages -----------------------------------------------------------------------------------------------------------

function payloadSchemas(): Record<string, JsonSchema> {
  const names = new SchemaNames();
  for (const [name, schema] of SHARED) names.name(schema, name);
  for (const def of EVENT_CATALOG) names.name(eventEnvelopeOf(def), detailComponentName(def));
  const converted = convertNamed(names, { target: 'draft-07', io: 'input', refBase: '#/components/schemas/' });
  return { [TIMESTAMP_COMPONENT]: timestampSchema('draft-07'), ...Object.fromEntries(converted) };
}

/** The versioned fixture of the event (test/fixtures/events), else an envelope around the catalog example. */
function exampleEnvelope(def: AnyEventDefinition): { readonly from: string; readonly payload: unknown } {
  const file = `${def.type}.v${def.version}.json`;
  try {
    return { from: `test/fixtures/events/${file}`, payload: JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) };
  } catch {
    const payload = {
      id: '01JDQ40000000000000000EXMP',
      source: def.source,
      type: def.type,
      time: '2026-11-22T10:00:00.000Z',
      subject: 'subject-1',
      sequence: 1,
      correlationId: 'corr-example',
      causationId: null,
      dataVersion: def.version,
      data: def.example,
    };
    return { from: 'the catalog example', payload };
  }
}

const eventBridgeHeaders = (def: AnyEventDefinition) => ({ source: def.source, 'detail-type': def.type });

function message(def: AnyEventDefinition): JsonSchema {
  const example = exampleEnvelope(def);
  return {
    name: def.type,
    title: `${def.type} v${def.version}`,
    summary: def.description,
    contentType: 'application/json',
    tags: [{ name: def.producer }],
    headers: {
      type: 'object',
      description: 'The EventBridge attributes of the event; the payload below is its `detail`.',
      required: ['source', 'detail-type'],
      properties: {
        source: { type: 'string', const: def.source, description: 'EventBridge `source` (= envelope `source`).' },
        'detail-type': {
          type: 'string',
          const: def.type,
          description: 'EventBridge `detail-type` (= envelope `type`).',
        },
      },
    },
    payload: { $ref: `#/components/schemas/${detailComponentName(def)}` },
    correlationId: { $ref: '#/components/correlationIds/envelope' },
    examples: [
      { name: 'fixture', summary: `From ${example.from}.`, headers: eventBridgeHeaders(def), payload: example.payload },
    ],
    'x-eventbridge': {
      ...eventBridgeHeaders(def),
      dataVersion: def.version,
      producer: def.producer,
      registrySchema: eventSchemaName(def),
    },
  };
}

// Operations ---------------------------------------------------------------------------------------------------------

const messageRefs = (defs: readonly AnyEventDefinition[]) =>
  defs.map((def) => ({ $ref: `#/channels/${CHANNEL}/messages/${messageKey(def)}` }));

function sendOperations(): Record<string, JsonSchema> {
  const producers = [...new Set(EVENT_CATALOG.map((def) => def.producer))];
  return Object.fromEntries(
    producers.map((producer) => [
      sendOperationKey(producer),
      {
        action: 'send',
        channel: { $ref: `#/channels/${CHANNEL}` },
        title: `${producer} publishes`,
        summary: `Events of the ${producer} domain (source ${SOURCES[producer]}).`,
        description:
          'Written to the outbox in the same DynamoDB transaction as the state change; the outbox relay publishes them with PutEvents and retries every entry EventBridge reports as failed.',
        tags: [{ name: producer }],
        messages: messageRefs(EVENT_CATALOG.filter((def) => def.producer === producer)),
      },
    ]),
  );
}

function receiveOperation(subscription: Subscription): JsonSchema {
  return {
    action: 'receive',
    channel: { $ref: `#/channels/${CHANNEL}` },
    title: `${subscription.id} (${subscription.consumer})`,
    summary: subscription.description,
    description:
      'An EventBridge rule on the bus delivers to one function, with retries and a dead-letter queue; consumers are idempotent, so a redelivered event changes nothing.',
    tags: [{ name: subscription.consumer }],
    messages: messageRefs(subscription.events),
    'x-eventbridge-rule': {
      id: subscription.id,
      consumer: subscription.consumer,
      pattern: subscriptionPattern(subscription),
    },
  };
}

// Document -----------------------------------------------------------------------------------------------------------

/** The AsyncAPI 3.0 document of the events (pure apart from reading the committed fixtures). */
export function buildAsyncApi(): Record<string, unknown> {
  const domains = [...new Set<Domain>(EVENT_CATALOG.map((def) => def.producer))];
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Serverless commerce events',
      version,
      description:
        'Every state change of the platform leaves as one event on the custom EventBridge bus. Delivery is at least once and unordered: deduplicate on the envelope `id`, and apply an event only when its `sequence` is newer than the one you hold. A breaking change to `data` is a new `dataVersion`, published beside the old one. The HTTP API that causes most of these events is described in docs/api/openapi.json.',
      license: { name: 'MIT-0', url: 'https://spdx.org/licenses/MIT-0.html' },
      tags: domains.map((name) => ({ name })),
    },
    defaultContentType: 'application/json',
    servers: {
      eventbridge: {
        host: 'events.{region}.amazonaws.com',
        protocol: 'https',
        title: 'Amazon EventBridge',
        summary: 'The EventBridge API of the region (PutEvents); the local runtime serves the same API on loopback.',
        variables: { region: { default: 'us-east-1', description: 'The region the stage is deployed to.' } },
      },
    },
    channels: {
      [CHANNEL]: {
        address: 'commerce-{stage}',
        title: 'The commerce event bus',
        description:
          'One custom bus per stage, archived for replay. EventBridge wraps each payload: `{"source": <source header>, "detail-type": <detail-type header>, "detail": <payload>, ...}`; rules match on source, detail-type and detail.dataVersion.',
        servers: [{ $ref: '#/servers/eventbridge' }],
        parameters: {
          stage: {
            description: 'The deployment stage (cdk context `stage`).',
            default: 'dev',
            examples: ['dev', 'prod'],
          },
        },
        messages: Object.fromEntries(
          EVENT_CATALOG.map((def) => [messageKey(def), { $ref: `#/components/messages/${messageKey(def)}` }]),
        ),
      },
    },
    operations: {
      ...sendOperations(),
      ...Object.fromEntries(Object.values(SUBSCRIPTIONS).map((s) => [s.id, receiveOperation(s)])),
    },
    components: {
      schemas: payloadSchemas(),
      messages: Object.fromEntries(EVENT_CATALOG.map((def) => [messageKey(def), message(def)])),
      correlationIds: {
        envelope: {
          description: 'The envelope `correlationId`: the same for the API request and every event it causes.',
          location: '$message.payload#/correlationId',
        },
      },
    },
  };
}

if (require.main === module) {
  writeContract(ASYNCAPI_FILE, buildAsyncApi());
}
