/**
 * Fault files: the JSON format is validated with clear errors, and each part of it maps to the injector decision
 * it describes, deterministically for a seed.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findDefinition } from '../../../functions/shared/events/catalog';
import { envelopeSchema } from '../../../functions/shared/events/envelope';
import type { EventDeliveryContext, LambdaInvokeContext, PutEventsEntryContext } from '../../../local/faults';
import {
  createFaultInjector,
  environmentFor,
  FaultsConfigError,
  type FaultsConfigInput,
  isPoisonDetail,
  loadFaultsFile,
  nameMatches,
  type PoisonEntry,
  parseFaultsConfig,
  seededRandom,
} from '../../../local/faults-config';
import { SCENARIOS } from '../../../scripts/chaos/scenarios';
import confirmedFixture from '../../fixtures/events/OrderConfirmed.v1.json';

const NOTIFIER = 'Commerce-dev-Stateless-NotificationsOrderNotifier6B28F03C';
const AUTHORIZE = 'Commerce-dev-Stateless-PaymentsAuthorizePayment127D4B1B';

const invoke = (over: Partial<LambdaInvokeContext> = {}): LambdaInvokeContext => ({
  functionName: AUTHORIZE,
  trigger: 'stepfunctions',
  stateMachineName: 'saga',
  stateName: 'AuthorizePayment',
  executionName: 'order-1',
  requestId: 'r1',
  ...over,
});

const delivery = (over: Partial<EventDeliveryContext> = {}): EventDeliveryContext => ({
  eventId: 'e1',
  busName: 'commerce-dev',
  ruleName: 'Commerce-dev-Stateless-SubscriptionsOrderNotifierAA85F6BE',
  targetId: 'Target0',
  targetArn: `arn:aws:lambda:us-east-1:000000000000:function:${NOTIFIER}`,
  attempt: 1,
  event: {},
  ...over,
});

/** A valid OrderConfirmed envelope (the frozen contract fixture). */
const envelope = confirmedFixture as Record<string, unknown> & { id: string };

const entry = (over: Partial<PutEventsEntryContext> = {}): PutEventsEntryContext => ({
  index: 0,
  busName: 'commerce-dev',
  source: 'commerce.orders',
  detailType: 'OrderConfirmed',
  detail: envelope,
  ...over,
});

/** Calls a hook n times and counts the decisions that satisfy `hit`. */
function count<T>(n: number, call: () => T, hit: (result: T) => boolean): number {
  let hits = 0;
  for (let i = 0; i < n; i++) if (hit(call())) hits++;
  return hits;
}

describe('fault files: validation', () => {
  it('fills the defaults of an empty configuration (injects nothing)', () => {
    const config = parseFaultsConfig({});
    expect(config).toMatchObject({ seed: 1, lambda: [], outages: [], environment: {} });
    const injector = createFaultInjector(config);
    expect(injector.beforeLambdaInvoke?.(invoke())).toBeUndefined();
    expect(injector.eventDelivery?.(delivery())).toBeUndefined();
    expect(injector.putEventsEntry?.(entry())).toBeUndefined();
  });

  it('rejects unknown keys, probabilities out of range and rules that name nothing, saying where', () => {
    expect(() => parseFaultsConfig({ sed: 3 })).toThrow(FaultsConfigError);
    expect(() => parseFaultsConfig({ putEvents: { failure: 1.5 } })).toThrow(/putEvents\.failure/);
    expect(() => parseFaultsConfig({ lambda: [{ failure: 0.5 }] })).toThrow(/lambda\.0.*"function", "state" or both/s);
    expect(() => parseFaultsConfig({ events: { delay: { minMs: 50, maxMs: 10 } } })).toThrow(
      /maxMs must be at least minMs/,
    );
    expect(() => parseFaultsConfig({ outages: [{ function: 'X', mode: 'asleep' }] })).toThrow(/outages\.0\.mode/);
  });

  it('reads a file and names the file in its errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faults-config-'));
    try {
      const good = join(dir, 'good.json');
      writeFileSync(good, JSON.stringify({ seed: 9, putEvents: { failure: 0.2 } }));
      expect(loadFaultsFile(good)).toMatchObject({
        seed: 9,
        putEvents: { failure: 0.2, errorCode: 'InternalFailure' },
      });
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, '{ "seed": ');
      expect(() => loadFaultsFile(bad)).toThrow(/bad\.json is not JSON/);
      expect(() => loadFaultsFile(join(dir, 'missing.json'))).toThrow(/cannot read the fault file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fault files: names', () => {
  it('a function is named by its physical name, its logical id with or without the hash, or a glob', () => {
    expect(nameMatches(NOTIFIER, NOTIFIER)).toBe(true);
    expect(nameMatches('NotificationsOrderNotifier6B28F03C', NOTIFIER)).toBe(true);
    expect(nameMatches('NotificationsOrderNotifier', NOTIFIER)).toBe(true);
    expect(nameMatches('*OrderNotifier*', NOTIFIER)).toBe(true);
    expect(nameMatches('OrderNotifier', NOTIFIER)).toBe(false);
    expect(nameMatches('Notifications', NOTIFIER)).toBe(false);
    // A logical id that is a prefix of another one does not name it.
    expect(nameMatches('OrdersCancelOrder', 'Commerce-dev-Stateless-OrdersCancelOrderStep7E95F256')).toBe(false);
    expect(nameMatches('OrdersCancelOrder', 'Commerce-dev-Stateless-OrdersCancelOrder20DE69C2')).toBe(true);
  });
});

describe('fault files: Lambda failures and delays', () => {
  it('fails about the configured share of a saga state, with the configured error', () => {
    const injector = createFaultInjector({
      seed: 4,
      lambda: [{ state: 'AuthorizePayment', failure: 0.3, error: { errorType: 'TransientError' } }],
    });
    const failures = count(
      2000,
      () => injector.beforeLambdaInvoke?.(invoke()),
      (f) => f !== undefined && 'error' in f && f.error !== undefined,
    );
    expect(failures / 2000).toBeGreaterThan(0.26);
    expect(failures / 2000).toBeLessThan(0.34);
    const fault = [...Array(50)].map(() => injector.beforeLambdaInvoke?.(invoke())).find((f) => f?.error);
    expect(fault?.error).toEqual({
      errorType: 'TransientError',
      errorMessage: `injected failure of state AuthorizePayment (${AUTHORIZE})`,
    });
    // Another state of the same function, or the same function outside Step Functions, is left alone.
    expect(count(200, () => injector.beforeLambdaInvoke?.(invoke({ stateName: 'VoidPayment' })), Boolean)).toBe(0);
    expect(
      count(200, () => injector.beforeLambdaInvoke?.(invoke({ stateName: undefined, trigger: 'api' })), Boolean),
    ).toBe(0);
  });

  it('matches by function and trigger, and delays within the configured range', () => {
    const injector = createFaultInjector({
      lambda: [{ function: 'PaymentsAuthorizePayment', triggers: ['api'], delay: { minMs: 20, maxMs: 40 } }],
    });
    for (let i = 0; i < 100; i++) {
      const fault = injector.beforeLambdaInvoke?.(invoke({ trigger: 'api', stateName: undefined }));
      expect(fault?.error).toBeUndefined();
      expect(fault?.delayMs).toBeGreaterThanOrEqual(20);
      expect(fault?.delayMs).toBeLessThanOrEqual(40);
    }
    expect(injector.beforeLambdaInvoke?.(invoke())).toBeUndefined();
    expect(injector.counts().lambdaDelays).toBe(100);
  });

  it('gives the same decisions for the same seed and calls, other decisions for another seed', () => {
    const config: FaultsConfigInput = {
      lambda: [{ state: 'AuthorizePayment', failure: 0.5, delay: { probability: 0.5, minMs: 0, maxMs: 100 } }],
      events: { duplicate: 0.5, delay: { probability: 0.5, minMs: 0, maxMs: 100 } },
    };
    const run = (seed: number) => {
      const injector = createFaultInjector({ ...config, seed });
      return [...Array(40)].map((_, i) =>
        JSON.stringify([injector.beforeLambdaInvoke?.(invoke()), injector.eventDelivery?.(delivery({ attempt: i }))]),
      );
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('adding a rule, before or after, does not change the decisions of another', () => {
    const decisions = (lambda: FaultsConfigInput['lambda']) => {
      const injector = createFaultInjector({ seed: 3, lambda });
      return [...Array(50)].map(() =>
        Boolean(injector.beforeLambdaInvoke?.(invoke({ stateName: 'ConfirmOrder' }))?.error),
      );
    };
    const confirm = { state: 'ConfirmOrder', failure: 0.5 };
    const other = { state: 'ReserveInventory', failure: 0.5 };
    expect(decisions([confirm])).toEqual(decisions([confirm, other]));
    expect(decisions([confirm])).toEqual(decisions([other, confirm]));
  });
});

describe('fault files: outages', () => {
  it('a failing outage fails every invocation of the function inside its window, and only then', () => {
    let now = 1_000_000;
    const injector = createFaultInjector(
      { outages: [{ function: 'NotificationsOrderNotifier', mode: 'failing', fromSeconds: 5, untilSeconds: 10 }] },
      { now: () => now },
    );
    const call = () => injector.beforeLambdaInvoke?.(invoke({ functionName: NOTIFIER, trigger: 'async' }));
    expect(call()).toBeUndefined();
    now += 5_000;
    expect(call()?.error).toEqual({
      errorType: 'ServiceUnavailable',
      errorMessage: `injected outage: ${NOTIFIER} is down`,
    });
    expect(injector.beforeLambdaInvoke?.(invoke())).toBeUndefined(); // another function
    // The delivery itself works: the failure is the function's, so Lambda's asynchronous retries take over.
    expect(injector.eventDelivery?.(delivery())).toBeUndefined();
    now += 5_000;
    expect(call()).toBeUndefined();
    expect(injector.counts().outageFailures).toBe(1);
  });

  it('an unavailable outage makes EventBridge deliveries to it fail (RetryPolicy), not other invocations', () => {
    const injector = createFaultInjector({ outages: [{ function: '*OrderNotifier*', mode: 'unavailable' }] });
    expect(injector.eventDelivery?.(delivery())).toEqual({ unavailable: true });
    expect(
      injector.eventDelivery?.(delivery({ targetArn: `arn:aws:lambda:us-east-1:000000000000:function:${AUTHORIZE}` })),
    ).toBeUndefined();
    expect(injector.beforeLambdaInvoke?.(invoke({ functionName: NOTIFIER, trigger: 'async' }))).toBeUndefined();
  });
});

describe('fault files: events and streams', () => {
  it('duplicates every delivery and holds it within the window', async () => {
    const injector = createFaultInjector({
      events: { duplicate: 1, copies: 2, delay: { probability: 1, minMs: 10, maxMs: 30 } },
    });
    for (let i = 0; i < 50; i++) {
      const fault = await injector.eventDelivery(delivery());
      expect(fault?.duplicates).toBe(2);
      expect(fault?.delayMs).toBeGreaterThanOrEqual(10);
      expect(fault?.delayMs).toBeLessThanOrEqual(30);
    }
    expect(injector.counts()).toMatchObject({ eventDuplicates: 100, eventDelays: 50 });
  });

  it('limits event faults to the named rules', () => {
    const injector = createFaultInjector({ events: { duplicate: 1, rules: ['SubscriptionsCheckoutStarter'] } });
    expect(injector.eventDelivery?.(delivery())).toBeUndefined();
    expect(
      injector.eventDelivery?.(delivery({ ruleName: 'Commerce-dev-Stateless-SubscriptionsCheckoutStarterB00C28D1' })),
    ).toEqual({ duplicates: 1, delayMs: 0 });
  });

  it('applies several blocks, each to the rules and detail-types it names; their effects add up', async () => {
    const injector = createFaultInjector({
      events: [
        { duplicate: 1 },
        { rules: ['SubscriptionsOrderNotifier'], detailTypes: ['OrderCancelled'], copies: 2, duplicate: 1 },
      ],
    });
    const of = (detailType: string) => delivery({ event: { 'detail-type': detailType, detail: envelope } });
    expect(await injector.eventDelivery(of('OrderConfirmed'))).toEqual({ duplicates: 1, delayMs: 0 });
    expect(await injector.eventDelivery(of('OrderCancelled'))).toEqual({ duplicates: 3, delayMs: 0 });
  });

  it('per event: every copy of an event (same envelope id) gets the same decision', async () => {
    const injector = createFaultInjector({
      seed: 3,
      events: { perEvent: true, delay: { probability: 0.5, minMs: 0, maxMs: 5000 } },
    });
    const ids = [...Array(40)].map((_, i) => `01JDQ4000000000000000000${String(i).padStart(2, '0')}`);
    const decide = async (id: string, eventId: string) =>
      (await injector.eventDelivery(delivery({ eventId, event: { detail: { ...envelope, id } } })))?.delayMs ?? 0;
    const first = await Promise.all(ids.map((id) => decide(id, 'bus-event-1')));
    const copies = await Promise.all(ids.map((id) => decide(id, 'bus-event-2')));
    expect(copies).toEqual(first);
    expect(first.filter((d) => d > 0).length).toBeGreaterThan(5);
    expect(first.filter((d) => d === 0).length).toBeGreaterThan(5);
  });

  it('reorder: holds an event until the next event of its subject reached the rule, so that one overtakes it', async () => {
    const injector = createFaultInjector({
      events: { detailTypes: ['OrderPlaced'], reorder: { probability: 1, afterMs: 20, maxWaitMs: 5_000 } },
    });
    const of = (type: string, id: string, subject = 'order-1') =>
      delivery({ event: { 'detail-type': type, detail: { ...envelope, type, id, subject } } });
    const order: string[] = [];
    const placed = Promise.resolve(injector.eventDelivery(of('OrderPlaced', 'placed-1'))).then(() =>
      order.push('placed'),
    );
    const copy = Promise.resolve(injector.eventDelivery(of('OrderPlaced', 'placed-1'))).then(() => order.push('copy'));
    // Another order's event does not release it.
    expect(await injector.eventDelivery(of('OrderConfirmed', 'confirmed-2', 'order-2'))).toBeUndefined();
    await new Promise((r) => setTimeout(r, 50));
    expect(order).toEqual([]);
    // The order's next event goes at once and releases both copies of the held one after it.
    expect(await injector.eventDelivery(of('OrderConfirmed', 'confirmed-1'))).toBeUndefined();
    order.push('confirmed');
    await Promise.all([placed, copy]);
    expect(order).toEqual(['confirmed', 'placed', 'copy']);
    expect(injector.counts().eventReorders).toBe(2);
  });

  it('reorder: a held event with no successor goes after maxWaitMs', async () => {
    const injector = createFaultInjector({ events: { reorder: { probability: 1, maxWaitMs: 30 } } });
    const started = Date.now();
    await injector.eventDelivery(delivery({ event: { 'detail-type': 'OrderPlaced', detail: envelope } }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('delivers stream batches again, for the named functions only', () => {
    const injector = createFaultInjector({ streams: { duplicate: 1, functions: ['PlatformOutboxRelay'] } });
    const batch = { mappingId: 'm', shardId: 's', records: [] };
    expect(
      injector.streamBatch?.({ ...batch, functionName: 'Commerce-dev-Stateless-PlatformOutboxRelayC81519A0' }),
    ).toEqual({ duplicates: 1 });
    expect(injector.streamBatch?.({ ...batch, functionName: NOTIFIER })).toBeUndefined();
  });
});

describe('fault files: PutEvents and poison', () => {
  it('fails about the configured share of entries with the configured code', () => {
    const injector = createFaultInjector({ seed: 11, putEvents: { failure: 0.25, errorCode: 'ThrottlingException' } });
    const failed = count(
      2000,
      () => injector.putEventsEntry?.(entry()),
      (f) => f?.errorCode === 'ThrottlingException',
    );
    expect(failed / 2000).toBeGreaterThan(0.21);
    expect(failed / 2000).toBeLessThan(0.29);
  });

  it('publishes a corrupted copy with a new id that keeps what the rules match, and never fails or poisons it again', async () => {
    const published: PoisonEntry[] = [];
    const injector = createFaultInjector(
      { seed: 5, poison: { probability: 1, detailTypes: ['OrderConfirmed'] }, putEvents: { failure: 1 } },
      { publish: async (e) => void published.push(e) },
    );
    // A failed entry is not published, so it gets no copy either.
    expect(injector.putEventsEntry?.(entry())?.errorCode).toBe('InternalFailure');
    await injector.settle();
    expect(published).toHaveLength(0);

    const poisoning = createFaultInjector(
      { seed: 5, poison: { probability: 1, detailTypes: ['OrderConfirmed'] } },
      { publish: async (e) => void published.push(e) },
    );
    expect(poisoning.putEventsEntry?.(entry())).toBeUndefined();
    expect(poisoning.putEventsEntry?.(entry({ detailType: 'OrderPlaced' }))).toBeUndefined();
    await poisoning.settle();
    expect(published).toHaveLength(1);
    const copy = published[0] as PoisonEntry;
    const detail = JSON.parse(copy.detail) as Record<string, unknown>;
    expect(copy).toMatchObject({ busName: 'commerce-dev', source: 'commerce.orders', detailType: 'OrderConfirmed' });
    expect(copy.originalId).toBe(envelope.id);
    expect(detail.id).toBe(copy.poisonId);
    expect(detail.id).not.toBe(envelope.id);
    expect(detail.dataVersion).toBe(1);
    expect(isPoisonDetail(detail)).toBe(true);
    expect(JSON.stringify(detail)).not.toBe(JSON.stringify({ ...envelope, id: copy.poisonId }));

    // The copy itself, when it comes back through PutEvents, is left alone.
    const again = createFaultInjector(
      { poison: { probability: 1 }, putEvents: { failure: 1 } },
      { publish: async () => {} },
    );
    expect(again.putEventsEntry?.(entry({ detail }))).toBeUndefined();
  });

  it('every corruption breaks the envelope or its data', async () => {
    const published: PoisonEntry[] = [];
    const kinds = [
      'sequence-negative',
      'sequence-string',
      'time-invalid',
      'data-null',
      'data-string',
      'source-invalid',
    ] as const;
    for (const kind of kinds) {
      const injector = createFaultInjector(
        { poison: { probability: 1, corruptions: [kind] } },
        { publish: async (e) => void published.push(e) },
      );
      injector.putEventsEntry?.(entry());
      await injector.settle();
    }
    expect(published.map((p) => p.corruption)).toEqual(kinds);
    // The original is valid...
    const definition = findDefinition('OrderConfirmed', 1);
    expect(envelopeSchema.safeParse(envelope).success).toBe(true);
    expect(definition?.data.safeParse(envelope.data).success).toBe(true);
    // ...and no copy is.
    for (const p of published) {
      const detail = JSON.parse(p.detail) as Record<string, unknown>;
      const valid = envelopeSchema.safeParse(detail).success && definition?.data.safeParse(detail.data).success;
      const sourceOk = detail.source === definition?.source;
      expect({ corruption: p.corruption, valid: valid && sourceOk }).toEqual({
        corruption: p.corruption,
        valid: false,
      });
    }
  });
});

describe('fault files: environment', () => {
  it('sets the provider failure rate everywhere and per-function variables where named', () => {
    const config = parseFaultsConfig({
      provider: { failureRate: 0.3 },
      environment: { '*': { A: '1' }, PaymentsAuthorizePayment: { A: '2', B: 'x' } },
    });
    expect(environmentFor(config, AUTHORIZE)).toEqual({ SIMULATED_PROVIDER_FAILURE_RATE: '0.3', A: '2', B: 'x' });
    expect(environmentFor(config, NOTIFIER)).toEqual({ SIMULATED_PROVIDER_FAILURE_RATE: '0.3', A: '1' });
    expect(environmentFor(parseFaultsConfig({}), NOTIFIER)).toBeUndefined();
  });
});

describe('seeded random', () => {
  it('is uniform enough and repeatable', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const values = [...Array(10_000)].map(() => a());
    expect(values.slice(0, 5)).toEqual([...Array(5)].map(() => b()));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((s, x) => s + x, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });
});

describe('example fault files (scripts/chaos/examples)', () => {
  const dir = join(__dirname, '..', '..', '..', 'scripts', 'chaos', 'examples');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it.each(files)('%s is a valid fault file', (file) => {
    expect(() => loadFaultsFile(join(dir, file))).not.toThrow();
  });

  it('an example named after a chaos scenario injects exactly what the scenario injects', () => {
    const named = SCENARIOS.filter((s) => files.includes(`${s.name}.json`));
    expect(named.length).toBeGreaterThanOrEqual(5);
    for (const scenario of named) {
      expect({ name: scenario.name, faults: loadFaultsFile(join(dir, `${scenario.name}.json`)) }).toEqual({
        name: scenario.name,
        faults: parseFaultsConfig(scenario.faults(42)),
      });
    }
  });
});
