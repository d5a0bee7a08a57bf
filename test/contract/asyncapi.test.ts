/**
 * The AsyncAPI document (scripts/contracts/asyncapi.ts): parsed by @asyncapi/parser without errors or warnings, every
 * type and version of the catalog a message whose payload accepts its versioned fixture, every producer a `send`
 * operation and every subscription a `receive` operation with its consumer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { type AnyEventDefinition, EVENT_CATALOG, parseEvent } from '../../functions/shared/events/catalog';
import { SUBSCRIPTIONS, subscriptionPattern } from '../../functions/shared/events/subscriptions';
import { buildAsyncApi, messageKey, sendOperationKey } from '../../scripts/contracts/asyncapi';
import { documentSchemas } from './document-schemas';

interface Message {
  readonly name: string;
  readonly payload: unknown;
  readonly headers: unknown;
  readonly examples: { readonly headers: unknown; readonly payload: unknown }[];
  readonly 'x-eventbridge': { readonly source: string; readonly 'detail-type': string; readonly dataVersion: number };
}
interface Operation {
  readonly action: 'send' | 'receive';
  readonly messages: { readonly $ref: string }[];
  readonly tags: { readonly name: string }[];
  readonly 'x-eventbridge-rule'?: { readonly consumer: string; readonly pattern: unknown };
}
interface AsyncApiDocument {
  readonly channels: Record<string, { readonly messages: Record<string, { readonly $ref: string }> }>;
  readonly operations: Record<string, Operation>;
  readonly components: { readonly messages: Record<string, Message> };
}

const document = buildAsyncApi() as unknown as AsyncApiDocument;
const schemas = documentSchemas(document, 'draft-07');
const FIXTURES = join(__dirname, '..', 'fixtures', 'events');
const fixtureOf = (def: AnyEventDefinition): Record<string, unknown> =>
  JSON.parse(readFileSync(join(FIXTURES, `${def.type}.v${def.version}.json`), 'utf8'));

function messageOf(def: AnyEventDefinition): Message {
  const message = document.components.messages[messageKey(def)];
  if (!message) throw new Error(`${messageKey(def)} is not a message of the document`);
  return message;
}

/** The message keys an operation references (`#/channels/commerceBus/messages/<key>`). */
const messageKeysOf = (operation: Operation | undefined) =>
  (operation?.messages ?? []).map((ref) => ref.$ref.split('/').pop());

describe('@asyncapi/parser', () => {
  let parsed: Awaited<ReturnType<Parser['parse']>>;
  beforeAll(async () => {
    parsed = await new Parser().parse(JSON.stringify(document));
  });

  test('parses the document without errors or warnings', () => {
    const problems = parsed.diagnostics
      .filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning)
      .map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`);
    expect(problems).toEqual([]);
    expect(parsed.document).toBeDefined();
  });

  test('sees one message per catalog event and every operation', () => {
    expect(parsed.document?.version()).toBe('3.0.0');
    expect(parsed.document?.messages().length).toBe(EVENT_CATALOG.length);
    const operations = parsed.document?.operations().all() ?? [];
    expect(operations.filter((o) => o.action() === 'receive')).toHaveLength(Object.keys(SUBSCRIPTIONS).length);
  });
});

describe.each(EVENT_CATALOG.map((def) => [messageKey(def), def] as const))('%s', (_key, def) => {
  const message = messageOf(def);

  test('is a message of the bus channel with its EventBridge source and detail-type', () => {
    expect(Object.keys(document.channels.commerceBus?.messages ?? {})).toContain(messageKey(def));
    expect(message.name).toBe(def.type);
    expect(message['x-eventbridge']).toMatchObject({
      source: def.source,
      'detail-type': def.type,
      dataVersion: def.version,
    });
    const headers = { source: def.source, 'detail-type': def.type };
    expect(schemas.errors(message.headers, headers)).toEqual([]);
    expect(schemas.errors(message.headers, { ...headers, 'detail-type': 'Other' })).not.toEqual([]);
  });

  test('has its versioned fixture as the example, and the payload schema accepts it', () => {
    const fixture = fixtureOf(def);
    expect(message.examples[0]?.payload).toEqual(fixture);
    expect(schemas.errors(message.payload, fixture)).toEqual([]);
  });

  test('the payload schema rejects what parseEvent rejects', () => {
    const fixture = fixtureOf(def);
    const rejected = [
      { ...fixture, sequence: 0 },
      { ...fixture, dataVersion: def.version + 1 },
      { ...fixture, type: `${def.type}X` },
      { ...fixture, source: 'commerce.elsewhere' },
      { ...fixture, data: {} },
    ];
    for (const envelope of rejected) {
      expect(() => parseEvent(def, envelope)).toThrow();
      expect(schemas.errors(message.payload, envelope)).not.toEqual([]);
    }
  });

  test('the payload schema accepts what parseEvent accepts: unknown keys are ignored', () => {
    const fixture = fixtureOf(def);
    const extended = { ...fixture, addedLater: 1, data: { ...(fixture.data as object), addedLater: true } };
    expect(() => parseEvent(def, extended)).not.toThrow();
    expect(schemas.errors(message.payload, extended)).toEqual([]);
  });

  test("is sent by exactly one operation: its producer's", () => {
    const senders = Object.entries(document.operations)
      .filter(([, operation]) => operation.action === 'send' && messageKeysOf(operation).includes(messageKey(def)))
      .map(([key]) => key);
    expect(senders).toEqual([sendOperationKey(def.producer)]);
  });
});

describe.each(Object.values(SUBSCRIPTIONS).map((s) => [s.id, s] as const))('subscription %s', (id, subscription) => {
  const operation = document.operations[id];

  test('is a receive operation of its consumer with exactly its events and its rule pattern', () => {
    expect(operation?.action).toBe('receive');
    expect(operation?.tags).toEqual([{ name: subscription.consumer }]);
    expect(operation?.['x-eventbridge-rule']?.consumer).toBe(subscription.consumer);
    expect(operation?.['x-eventbridge-rule']?.pattern).toEqual(subscriptionPattern(subscription));
    expect(messageKeysOf(operation)).toEqual(subscription.events.map(messageKey));
  });
});

test('every consumer domain of SUBSCRIPTIONS receives something in the document', () => {
  const consumers = new Set(Object.values(SUBSCRIPTIONS).map((s) => s.consumer));
  const receivers = new Set(
    Object.values(document.operations)
      .filter((operation) => operation.action === 'receive')
      .flatMap((operation) => operation.tags.map((tag) => tag.name)),
  );
  expect([...receivers].sort()).toEqual([...consumers].sort());
});
