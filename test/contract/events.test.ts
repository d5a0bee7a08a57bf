/**
 * Event contracts. Every published version has a fixture under test/fixtures/events/<Type>.v<N>.json, written when
 * the version was introduced and never edited: the catalog must keep parsing it (a consumer built against it keeps
 * working), and every definition must have one (a new version comes with its fixture).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_CATALOG, findDefinition, parseEvent, SOURCES } from '../../functions/shared/events/catalog';
import { SUBSCRIPTIONS, subscriptionPattern } from '../../functions/shared/events/subscriptions';
import { compileEventPattern } from '../../local/eventbridge/pattern';

const FIXTURES = join(__dirname, '..', 'fixtures', 'events');
const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));

describe('versioned fixtures', () => {
  it.each(fixtures)('%s still parses with the catalog', (file) => {
    const envelope = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8'));
    const definition = findDefinition(envelope.type, envelope.dataVersion);
    expect(definition).toBeDefined();
    if (definition) expect(() => parseEvent(definition, envelope)).not.toThrow();
  });

  it('has a fixture for every type and version in the catalog', () => {
    const expected = EVENT_CATALOG.map((d) => `${d.type}.v${d.version}.json`).sort();
    expect(fixtures.sort()).toEqual(expected);
  });
});

describe('catalog', () => {
  it('uses past-tense, unique type names and known sources', () => {
    const names = EVENT_CATALOG.map((d) => `${d.type}@${d.version}`);
    expect(new Set(names).size).toBe(names.length);
    for (const definition of EVENT_CATALOG) {
      expect(definition.type).toMatch(/(ed|Sent)$/);
      expect(Object.values(SOURCES)).toContain(definition.source);
      expect(definition.data.safeParse(definition.example).success).toBe(true);
    }
  });

  it('rejects an envelope of another type, version or source', () => {
    const [placed] = EVENT_CATALOG.filter((d) => d.type === 'OrderPlaced');
    if (!placed) throw new Error('OrderPlaced missing');
    const envelope = JSON.parse(readFileSync(join(FIXTURES, 'OrderPlaced.v1.json'), 'utf8'));
    expect(() => parseEvent(placed, { ...envelope, dataVersion: 2 })).toThrow();
    expect(() => parseEvent(placed, { ...envelope, source: 'commerce.payments' })).toThrow();
    expect(() => parseEvent(placed, { ...envelope, data: { ...envelope.data, totalCents: -1 } })).toThrow();
    expect(() => parseEvent(placed, { ...envelope, sequence: 0 })).toThrow();
  });
});

describe('subscriptions', () => {
  it.each(Object.values(SUBSCRIPTIONS))('$id matches exactly the events it declares', (subscription) => {
    const matches = compileEventPattern(subscriptionPattern(subscription));
    for (const definition of EVENT_CATALOG) {
      const event = {
        source: definition.source,
        'detail-type': definition.type,
        detail: { dataVersion: definition.version },
      };
      const declared = subscription.events.some((e) => e.type === definition.type && e.version === definition.version);
      expect({ type: definition.type, matched: matches(event) }).toEqual({ type: definition.type, matched: declared });
    }
  });
});
