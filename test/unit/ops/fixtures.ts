/** Recorded dead letters (fixtures/*.json): the body as JSON for readability, or `rawBody` when it is not JSON. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classify, type DeadLetter, type RawDeadLetter } from '../../../scripts/ops/dead-letter';

interface Fixture {
  readonly recordedFrom: string;
  readonly attributes: Record<string, string>;
  readonly body?: unknown;
  readonly rawBody?: string;
}

export const FIXTURES = [
  'lambda-destination.local',
  'lambda-destination.aws',
  'stream-batch.local',
  'stream-batch.aws',
  'poison-outbox.local',
  'eventbridge-target.local',
  'eventbridge-target.schedule',
  'unknown',
] as const;
export type FixtureName = (typeof FIXTURES)[number];

export const SENT_AT = Date.parse('2026-11-22T05:12:00.000Z');

export function rawFixture(name: FixtureName, messageId = `msg-${name}`): RawDeadLetter {
  const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8')) as Fixture;
  return {
    messageId,
    body: fixture.rawBody ?? JSON.stringify(fixture.body),
    attributes: fixture.attributes,
    sentAt: SENT_AT,
  };
}

export const fixture = (name: FixtureName, messageId?: string): DeadLetter => classify(rawFixture(name, messageId));
