import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  chunkEntries,
  type EventPublisher,
  MAX_BYTES_PER_CALL,
  type PoisonSink,
  type PublishEntry,
  relay,
  validatePayload,
} from '../../../functions/platform/domain/relay';

const fixture = readFileSync(join(__dirname, '..', '..', 'fixtures', 'events', 'OrderPlaced.v1.json'), 'utf8');

function record(i: number, payload: string | undefined = fixture) {
  return { id: String(1000 + i), payload };
}

class RecordingPublisher implements EventPublisher {
  readonly calls: PublishEntry[][] = [];
  constructor(private readonly fail: (entry: PublishEntry, index: number) => boolean = () => false) {}
  async publish(entries: readonly PublishEntry[]) {
    this.calls.push([...entries]);
    return entries.map((entry, i) =>
      this.fail(entry, i) ? { ok: false as const, error: 'InternalFailure' } : { ok: true as const },
    );
  }
}

class RecordingSink implements PoisonSink {
  readonly parked: { id: string; error: string }[] = [];
  async park(r: { id: string }, error: string) {
    this.parked.push({ id: r.id, error });
  }
}

describe('validatePayload', () => {
  it.each([
    ['no payload', undefined, 'no payload'],
    ['not JSON', '{', 'not JSON'],
    ['not an envelope', '{"a":1}', 'invalid envelope'],
    ['an unknown type', fixture.replace('"OrderPlaced"', '"OrderShipped"'), 'unknown event'],
    ['a wrong source', fixture.replace('commerce.orders', 'commerce.payments'), 'must come from'],
    ['invalid data', fixture.replace('"totalCents": 3998', '"totalCents": "lots"'), 'invalid OrderPlaced data'],
  ])('refuses %s', (_name, payload, message) => {
    const result = validatePayload(payload);
    expect('error' in result && result.error).toContain(message);
  });

  it('accepts a catalog event', () => {
    expect(validatePayload(fixture)).toHaveProperty('envelope.type', 'OrderPlaced');
  });
});

describe('chunkEntries', () => {
  it('puts at most ten entries in a call', () => {
    const entries = Array.from({ length: 23 }, (_, i) => ({
      recordId: String(i),
      envelope: JSON.parse(fixture),
      detail: fixture,
    }));
    expect(chunkEntries(entries).map((c) => c.length)).toEqual([10, 10, 3]);
  });

  it('splits by size before a call would pass the PutEvents limit', () => {
    const big = 'x'.repeat(100 * 1024);
    const entries = Array.from({ length: 5 }, (_, i) => ({
      recordId: String(i),
      envelope: JSON.parse(fixture),
      detail: big,
    }));
    const chunks = chunkEntries(entries);
    expect(chunks.map((c) => c.length)).toEqual([2, 2, 1]);
    for (const chunk of chunks)
      expect(chunk.reduce((s, e) => s + e.detail.length, 0)).toBeLessThanOrEqual(MAX_BYTES_PER_CALL);
  });
});

describe('relay', () => {
  it('reports exactly the records whose entries failed', async () => {
    const publisher = new RecordingPublisher((_entry, i) => i === 3);
    const report = await relay(
      Array.from({ length: 12 }, (_, i) => record(i)),
      publisher,
      new RecordingSink(),
    );
    expect(report).toEqual({ failedRecordIds: ['1003'], published: 11, failed: 1, poison: 0 });
  });

  it('parks poison records and publishes the rest', async () => {
    const sink = new RecordingSink();
    const report = await relay([record(1), record(2, '{"bad":true}'), record(3)], new RecordingPublisher(), sink);
    expect(report).toMatchObject({ failedRecordIds: [], published: 2, poison: 1 });
    expect(sink.parked).toEqual([{ id: '1002', error: expect.stringContaining('invalid envelope') }]);
  });

  it('fails a whole call that throws, keeping the other calls', async () => {
    let calls = 0;
    const publisher: EventPublisher = {
      publish: async (entries) => {
        calls += 1;
        if (calls === 1) throw new Error('network');
        return entries.map(() => ({ ok: true as const }));
      },
    };
    const report = await relay(
      Array.from({ length: 15 }, (_, i) => record(i)),
      publisher,
      new RecordingSink(),
    );
    expect(report.failed).toBe(10);
    expect(report.published).toBe(5);
  });
});
