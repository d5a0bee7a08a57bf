/**
 * Fault configuration: a JSON file (or a plain object) turned into a FaultInjector (local/faults.ts), so chaos is
 * configured, never coded. `npm start -- --faults <file>` loads it and reloads it when the file changes; the chaos
 * scenarios (scripts/chaos/) write one per scenario. The format is documented in local/README.md ("Fault files").
 *
 * Decisions are drawn from seeded generators, one per rule and per kind of fault, so the same seed gives the same
 * decisions for the same sequence of calls (and adding a rule does not shift the others). Concurrency can change
 * the order of the calls, so a whole run reproduces its fault rates, not its exact interleaving.
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import * as z from 'zod';
import { functionNameFrom } from './arn';
import {
  createDynamoDbFaults,
  type DynamoDbFaultCounts,
  dynamodbRuleSchema,
  partitionsSchema,
} from './dynamodb/faults';
import { anyMatches, Dice, hash32, nameMatches } from './fault-dice';
import type {
  DynamoDbFault,
  DynamoDbRequestContext,
  EventDeliveryContext,
  EventDeliveryFault,
  FaultInjector,
  LambdaAfterFault,
  LambdaFault,
  LambdaInvokeContext,
  MaybePromise,
  PutEventsEntryContext,
  PutEventsEntryFault,
  StreamBatchContext,
  StreamBatchFault,
} from './faults';

export { nameMatches, seededRandom } from './fault-dice';

// ---------------------------------------------------------------------------------------------------------------
// The file format
// ---------------------------------------------------------------------------------------------------------------

const probability = z.number().min(0).max(1);
/** A function (or rule) name: the physical name, the logical id with or without its hash suffix, or a `*` glob. */
const selector = z.string().min(1);
const delaySchema = z
  .strictObject({
    probability: probability.default(1),
    minMs: z.int().nonnegative().default(0),
    maxMs: z.int().nonnegative(),
  })
  .refine((d) => d.maxMs >= d.minMs, { message: 'maxMs must be at least minMs' });
const errorSchema = z.strictObject({
  errorType: z.string().min(1).default('Lambda.ServiceException'),
  errorMessage: z.string().min(1).optional(),
});
const TRIGGERS = ['api', 'invoke-api', 'async', 'stream', 'sqs', 'stepfunctions', 'redrive'] as const;

export const POISON_CORRUPTIONS = [
  'sequence-negative',
  'sequence-string',
  'time-invalid',
  'data-null',
  'data-string',
  'source-invalid',
] as const;
export type PoisonCorruption = (typeof POISON_CORRUPTIONS)[number];

/** Marks a poison copy (its envelope id starts with it): never failed, delayed on entry or poisoned again. */
export const POISON_ID_PREFIX = 'poison-';

const lambdaRuleSchema = z
  .strictObject({
    function: selector.optional(),
    /** A saga Task state name (Step Functions invocations only). */
    state: z.string().min(1).optional(),
    /** Only these triggers. @default every trigger */
    triggers: z.array(z.enum(TRIGGERS)).min(1).optional(),
    failure: probability.default(0),
    error: errorSchema.optional(),
    delay: delaySchema.optional(),
    /**
     * The handler runs to completion (its writes are committed), then the invocation fails anyway: `exit` ends the
     * execution environment (Runtime.ExitError, the next invocation is a cold start), `lost-response` loses the result.
     */
    afterCommit: z.strictObject({ probability, mode: z.enum(['exit', 'lost-response']) }).optional(),
  })
  .refine((r) => r.function !== undefined || r.state !== undefined, {
    message: 'a lambda rule needs "function", "state" or both',
  });

const outageSchema = z
  .strictObject({
    function: selector,
    /**
     * `failing`: every invocation fails as if the handler threw (asynchronous retries, then the on-failure
     * destination; saga retries for Step Functions tasks). `unavailable`: EventBridge cannot deliver to it (the rule
     * target's RetryPolicy keeps retrying, then its DLQ); other triggers are not affected.
     */
    mode: z.enum(['failing', 'unavailable']),
    /** Seconds after the file was (re)loaded. */
    fromSeconds: z.number().nonnegative().default(0),
    /** @default until the file changes */
    untilSeconds: z.number().positive().optional(),
    error: errorSchema.optional(),
  })
  .refine((o) => o.untilSeconds === undefined || o.untilSeconds > o.fromSeconds, {
    message: 'untilSeconds must be after fromSeconds',
  });

const eventsRuleSchema = z.strictObject({
  /** Probability that a delivery gets `copies` extra copies. */
  duplicate: probability.default(0),
  copies: z.int().min(1).max(10).default(1),
  /** Holds deliveries for a random time in [minMs, maxMs]: later events overtake them (out of order). */
  delay: delaySchema.optional(),
  /** Only deliveries of these rules. @default every rule */
  rules: z.array(selector).min(1).optional(),
  /** Only events of these detail-types. @default every detail-type */
  detailTypes: z.array(z.string().min(1)).min(1).optional(),
  /**
   * Decide once per event (by its envelope id, else its EventBridge id) instead of once per delivery, so that every
   * copy of a late event is late: consumers deduplicate by id, so only the first copy to arrive counts.
   */
  perEvent: z.boolean().default(false),
  /**
   * Holds the selected events (decided per event, so every copy is held) until a later event of the same subject
   * reached the same rule, then delivers them `afterMs` later: the later event overtakes them, whatever the
   * machine's speed. A held event with no successor goes after `maxWaitMs`.
   */
  reorder: z
    .strictObject({
      probability,
      afterMs: z.int().nonnegative().default(500),
      maxWaitMs: z.int().positive().default(30_000),
    })
    .optional(),
});

export const faultsConfigSchema = z.strictObject({
  seed: z.int().default(1),
  lambda: z.array(lambdaRuleSchema).default([]),
  /** One block, or several (each applies to the deliveries it selects; their copies and holds add up). */
  events: z
    .union([eventsRuleSchema, z.array(eventsRuleSchema)])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .default([]),
  streams: z
    .strictObject({
      duplicate: probability.default(0),
      copies: z.int().min(1).max(10).default(1),
      /** Only batches for these functions. @default every stream mapping */
      functions: z.array(selector).min(1).optional(),
    })
    .optional(),
  putEvents: z
    .strictObject({
      failure: probability,
      errorCode: z.string().min(1).default('InternalFailure'),
      errorMessage: z.string().min(1).optional(),
    })
    .optional(),
  poison: z
    .strictObject({
      /** Probability that an accepted PutEvents entry gets a corrupted copy (new id) on the same bus. */
      probability,
      /** Only entries of these detail-types. @default every detail-type */
      detailTypes: z.array(z.string().min(1)).min(1).optional(),
      corruptions: z.array(z.enum(POISON_CORRUPTIONS)).min(1).optional(),
    })
    .optional(),
  outages: z.array(outageSchema).default([]),
  /** Extra environment variables per function selector (`*` = every function); read when a worker starts. */
  environment: z.record(z.string().min(1), z.record(z.string().min(1), z.string())).default({}),
  /** The simulated payment provider's random outages (`SIMULATED_PROVIDER_FAILURE_RATE`). */
  provider: z.strictObject({ failureRate: probability }).optional(),
  /** Errors only DynamoDB answers with, per operation, function, table and key prefix (local/dynamodb/faults.ts). */
  dynamodb: z.array(dynamodbRuleSchema).default([]),
  /** A capacity model per partition key value (off unless given). */
  partitions: partitionsSchema.optional(),
  /** Transaction conflicts with requests in flight. @default on when `partitions` is given */
  transactionConflicts: z.boolean().optional(),
});

export type FaultsConfig = z.output<typeof faultsConfigSchema>;
export type FaultsConfigInput = z.input<typeof faultsConfigSchema>;

export class FaultsConfigError extends Error {
  override name = 'FaultsConfigError';
}

/** Validates a fault configuration; the error names every wrong field and where it is. */
export function parseFaultsConfig(input: unknown, source = 'fault configuration'): FaultsConfig {
  const parsed = faultsConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
  throw new FaultsConfigError(`${source} is not valid:\n${problems}\n(see local/README.md, "Fault files")`);
}

export function loadFaultsFile(path: string): FaultsConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FaultsConfigError(`cannot read the fault file ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FaultsConfigError(`the fault file ${path} is not JSON: ${(error as Error).message}`);
  }
  return parseFaultsConfig(json, `the fault file ${path}`);
}

// ---------------------------------------------------------------------------------------------------------------
// The injector
// ---------------------------------------------------------------------------------------------------------------

/** What the injector did, by kind (the chaos runs print it). */
export interface FaultCounts extends DynamoDbFaultCounts {
  lambdaFailures: number;
  lambdaDelays: number;
  outageFailures: number;
  unavailableDeliveries: number;
  eventDuplicates: number;
  eventDelays: number;
  eventReorders: number;
  streamDuplicates: number;
  putEventsFailures: number;
  poisonEvents: number;
  poisonPublishFailures: number;
  /** Invocations whose environment was ended after the handler returned (`afterCommit` mode `exit`). */
  afterCommitExits: number;
  /** Invocations whose result was lost after the handler returned (`afterCommit` mode `lost-response`). */
  afterCommitLostResponses: number;
}

/** A corrupted copy of an entry, to be put on the bus by the caller's publisher. */
export interface PoisonEntry {
  readonly busName: string;
  readonly source: string;
  readonly detailType: string;
  /** The corrupted envelope, as JSON. */
  readonly detail: string;
  readonly poisonId: string;
  readonly originalId: string | undefined;
  readonly corruption: PoisonCorruption;
}

export type PoisonPublisher = (entry: PoisonEntry) => Promise<void>;

export interface FaultInjectorDeps {
  /** Puts a poison copy on the bus (through PutEvents, as a misbehaving producer would). Without it, none is made. */
  readonly publish?: PoisonPublisher;
  /** One line per notable decision (poison made, outage started). */
  readonly log?: (line: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface ConfiguredFaultInjector extends FaultInjector {
  readonly config: FaultsConfig;
  beforeLambdaInvoke(context: LambdaInvokeContext): LambdaFault | undefined;
  afterLambdaInvoke(context: LambdaInvokeContext): LambdaAfterFault | undefined;
  dynamodbRequest(context: DynamoDbRequestContext): DynamoDbFault | undefined;
  putEventsEntry(context: PutEventsEntryContext): PutEventsEntryFault | undefined;
  eventDelivery(context: EventDeliveryContext): MaybePromise<EventDeliveryFault | undefined>;
  streamBatch(context: StreamBatchContext): StreamBatchFault | undefined;
  counts(): FaultCounts;
  /** Waits for the poison copies being published. */
  settle(): Promise<void>;
}

function corrupt(envelope: Record<string, unknown>, corruption: PoisonCorruption): Record<string, unknown> {
  // Each corruption breaks the envelope or data schema but keeps what the rule patterns match (source,
  // detail-type, dataVersion), so the copy reaches the consumers and must be rejected there.
  switch (corruption) {
    case 'sequence-negative':
      return { ...envelope, sequence: -1 };
    case 'sequence-string':
      return { ...envelope, sequence: String(envelope.sequence ?? '1') };
    case 'time-invalid':
      return { ...envelope, time: 'yesterday at noon' };
    case 'data-null':
      return { ...envelope, data: null };
    case 'data-string':
      return { ...envelope, data: 'corrupted' };
    case 'source-invalid':
      return { ...envelope, source: 'Commerce.INVALID source' };
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function isPoisonDetail(detail: unknown): boolean {
  return isRecord(detail) && typeof detail.id === 'string' && detail.id.startsWith(POISON_ID_PREFIX);
}

export function createFaultInjector(
  input: FaultsConfig | FaultsConfigInput,
  deps: FaultInjectorDeps = {},
): ConfiguredFaultInjector {
  const config = parseFaultsConfig(input);
  const dice = new Dice(config.seed);
  const now = deps.now ?? Date.now;
  const loadedAt = now();
  const log = deps.log ?? (() => undefined);
  const counts: Omit<FaultCounts, keyof DynamoDbFaultCounts> = {
    lambdaFailures: 0,
    lambdaDelays: 0,
    outageFailures: 0,
    unavailableDeliveries: 0,
    eventDuplicates: 0,
    eventDelays: 0,
    eventReorders: 0,
    streamDuplicates: 0,
    putEventsFailures: 0,
    poisonEvents: 0,
    poisonPublishFailures: 0,
    afterCommitExits: 0,
    afterCommitLostResponses: 0,
  };
  const dynamodb = createDynamoDbFaults(config, { now: deps.now });
  const publishing = new Set<Promise<void>>();
  let poisonSerial = 0;
  // A rule's generator is named after what it selects (not its position), so adding or moving a rule leaves the
  // decisions of the others as they were.
  const seen = new Map<string, number>();
  const streamName = (kind: string, selects: unknown[]) => {
    const name = `${kind}/${JSON.stringify(selects)}`;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return `${name}/${n}`;
  };
  const lambdaStreams = config.lambda.map((r) => streamName('lambda', [r.function, r.state, r.triggers]));
  const eventStreams = config.events.map((r) => streamName('events', [r.rules, r.detailTypes]));

  const activeOutage = (functionName: string, mode: 'failing' | 'unavailable') => {
    const elapsed = (now() - loadedAt) / 1000;
    return config.outages.find(
      (o) =>
        o.mode === mode &&
        elapsed >= o.fromSeconds &&
        (o.untilSeconds === undefined || elapsed < o.untilSeconds) &&
        nameMatches(o.function, functionName),
    );
  };

  const beforeLambdaInvoke = (c: LambdaInvokeContext): LambdaFault | undefined => {
    const outage = activeOutage(c.functionName, 'failing');
    if (outage) {
      counts.outageFailures++;
      return {
        error: {
          errorType: outage.error?.errorType ?? 'ServiceUnavailable',
          errorMessage: outage.error?.errorMessage ?? `injected outage: ${c.functionName} is down`,
        },
      };
    }
    let delayMs = 0;
    for (const [index, rule] of config.lambda.entries()) {
      const stream = lambdaStreams[index] ?? `lambda/${index}`;
      if (rule.function !== undefined && !nameMatches(rule.function, c.functionName)) continue;
      if (rule.state !== undefined && rule.state !== c.stateName) continue;
      if (rule.triggers !== undefined && !rule.triggers.includes(c.trigger)) continue;
      if (rule.delay && dice.chance(`${stream}/delay`, rule.delay.probability)) {
        delayMs += dice.between(`${stream}/delay-ms`, rule.delay.minMs, rule.delay.maxMs);
        counts.lambdaDelays++;
      }
      if (dice.chance(`${stream}/failure`, rule.failure)) {
        counts.lambdaFailures++;
        return {
          delayMs: delayMs || undefined,
          error: {
            errorType: rule.error?.errorType ?? 'Lambda.ServiceException',
            errorMessage:
              rule.error?.errorMessage ??
              `injected failure of ${c.stateName ? `state ${c.stateName} (${c.functionName})` : c.functionName}`,
          },
        };
      }
    }
    return delayMs > 0 ? { delayMs } : undefined;
  };

  const eventDice = (stream: string, c: EventDeliveryContext) => {
    const detail = c.event.detail;
    const id = isRecord(detail) && typeof detail.id === 'string' ? detail.id : c.eventId;
    return new Dice(hash32(`${config.seed}/${stream}/${id}`));
  };

  /** Held deliveries by rule and subject, with the id of the event each one carries. */
  const held = new Map<string, { eventId: string; release: () => void }[]>();
  const identity = (c: EventDeliveryContext) => {
    const detail = c.event.detail;
    return {
      eventId: isRecord(detail) && typeof detail.id === 'string' ? detail.id : c.eventId,
      subject: isRecord(detail) && typeof detail.subject === 'string' ? detail.subject : undefined,
    };
  };
  /** A delivery of another event of the same subject releases the ones held before it. */
  const releaseOvertaken = (key: string, eventId: string, afterMs: number) => {
    const waiting = held.get(key);
    if (!waiting?.some((w) => w.eventId !== eventId)) return;
    held.set(
      key,
      waiting.filter((w) => w.eventId === eventId),
    );
    for (const w of waiting) if (w.eventId !== eventId) setTimeout(w.release, afterMs).unref();
  };
  const hold = (key: string, eventId: string, maxWaitMs: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs);
      timer.unref();
      const entry = {
        eventId,
        release: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      held.set(key, [...(held.get(key) ?? []), entry]);
    });

  const eventDelivery = (
    c: EventDeliveryContext,
  ): EventDeliveryFault | undefined | Promise<EventDeliveryFault | undefined> => {
    if (c.targetArn.includes(':function:') && activeOutage(functionNameFrom(c.targetArn), 'unavailable')) {
      counts.unavailableDeliveries++;
      return { unavailable: true };
    }
    const { eventId, subject } = identity(c);
    const key = subject === undefined ? undefined : `${c.ruleName}|${subject}`;
    let reorder: { afterMs: number; maxWaitMs: number } | undefined;
    let duplicates = 0;
    let delayMs = 0;
    const detailType = c.event['detail-type'];
    for (const [index, rule] of config.events.entries()) {
      if (!anyMatches(rule.rules, c.ruleName)) continue;
      if (rule.detailTypes && !(typeof detailType === 'string' && rule.detailTypes.includes(detailType))) continue;
      const stream = eventStreams[index] ?? `events/${index}`;
      // Per event: a generator of its own, seeded with the event's id (the same decisions for every copy).
      const roll = rule.perEvent ? eventDice(stream, c) : dice;
      if (roll.chance(`${stream}/duplicate`, rule.duplicate)) duplicates += rule.copies;
      if (rule.delay && roll.chance(`${stream}/delay`, rule.delay.probability)) {
        delayMs += roll.between(`${stream}/delay-ms`, rule.delay.minMs, rule.delay.maxMs);
      }
      if (rule.reorder && key && eventDice(stream, c).chance(`${stream}/reorder`, rule.reorder.probability)) {
        reorder = rule.reorder;
      }
    }
    counts.eventDuplicates += duplicates;
    if (delayMs > 0) counts.eventDelays++;
    const fault = duplicates || delayMs ? { duplicates, delayMs } : undefined;
    if (key) releaseOvertaken(key, eventId, Math.max(0, ...config.events.map((r) => r.reorder?.afterMs ?? 0)));
    if (!reorder || !key) return fault;
    counts.eventReorders++;
    return hold(key, eventId, reorder.maxWaitMs).then(() => fault);
  };

  const streamBatch = (c: StreamBatchContext): StreamBatchFault | undefined => {
    const streams = config.streams;
    if (!streams || !anyMatches(streams.functions, c.functionName)) return undefined;
    if (!dice.chance('streams/duplicate', streams.duplicate)) return undefined;
    counts.streamDuplicates += streams.copies;
    return { duplicates: streams.copies };
  };

  const makePoison = (c: PutEventsEntryContext) => {
    const poison = config.poison;
    const publish = deps.publish;
    if (!poison || !publish || !isRecord(c.detail)) return;
    if (poison.detailTypes && !poison.detailTypes.includes(c.detailType)) return;
    if (!dice.chance('poison', poison.probability)) return;
    const kinds = poison.corruptions ?? POISON_CORRUPTIONS;
    const corruption = kinds[dice.between('poison/kind', 0, kinds.length - 1)] ?? 'data-null';
    poisonSerial++;
    const poisonId = `${POISON_ID_PREFIX}${config.seed}-${poisonSerial}-${dice.between('poison/id', 0, 0xffffff).toString(16)}`;
    const entry: PoisonEntry = {
      busName: c.busName,
      source: c.source,
      detailType: c.detailType,
      detail: JSON.stringify(corrupt({ ...c.detail, id: poisonId }, corruption)),
      poisonId,
      originalId: typeof c.detail.id === 'string' ? c.detail.id : undefined,
      corruption,
    };
    counts.poisonEvents++;
    // Published after this entry is answered, as a separate PutEvents (a second, broken producer).
    const work = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => publish(entry))
      .then(
        () => log(`poison ${poisonId} (${corruption}) copy of ${c.detailType} ${entry.originalId ?? ''}`.trim()),
        (error: unknown) => {
          counts.poisonPublishFailures++;
          log(`poison ${poisonId} could not be published: ${String(error)}`);
        },
      );
    publishing.add(work);
    void work.finally(() => publishing.delete(work));
  };

  const putEventsEntry = (c: PutEventsEntryContext): PutEventsEntryFault | undefined => {
    if (isPoisonDetail(c.detail)) return undefined;
    const putEvents = config.putEvents;
    if (putEvents && dice.chance('put-events/failure', putEvents.failure)) {
      counts.putEventsFailures++;
      return { errorCode: putEvents.errorCode, errorMessage: putEvents.errorMessage ?? 'injected PutEvents failure' };
    }
    makePoison(c);
    return undefined;
  };

  return {
    config,
    beforeLambdaInvoke,
    afterLambdaInvoke: afterCommitFaults(config, dice, lambdaStreams, counts),
    dynamodbRequest: dynamodb.request,
    eventDelivery,
    streamBatch,
    putEventsEntry,
    counts: () => ({ ...counts, ...dynamodb.counts() }),
    settle: async () => {
      while (publishing.size > 0) await Promise.all([...publishing]);
    },
  };
}

/** `afterCommit` of the `lambda` rules: the first rule that selects the invocation and fires decides. */
function afterCommitFaults(
  config: FaultsConfig,
  dice: Dice,
  streams: readonly string[],
  counts: Pick<FaultCounts, 'afterCommitExits' | 'afterCommitLostResponses'>,
): (c: LambdaInvokeContext) => LambdaAfterFault | undefined {
  return (c) => {
    for (const [index, rule] of config.lambda.entries()) {
      if (!rule.afterCommit) continue;
      if (rule.function !== undefined && !nameMatches(rule.function, c.functionName)) continue;
      if (rule.state !== undefined && rule.state !== c.stateName) continue;
      if (rule.triggers !== undefined && !rule.triggers.includes(c.trigger)) continue;
      if (!dice.chance(`${streams[index] ?? `lambda/${index}`}/after-commit`, rule.afterCommit.probability)) continue;
      if (rule.afterCommit.mode === 'exit') counts.afterCommitExits++;
      else counts.afterCommitLostResponses++;
      return { crash: rule.afterCommit.mode };
    }
    return undefined;
  };
}

/**
 * The extra environment of a function: `environment` entries whose selector names it (in file order, later wins),
 * and the provider's failure rate. Applied when a worker starts, so a reload does not change running workers.
 */
export function environmentFor(config: FaultsConfig, functionName: string): Record<string, string> | undefined {
  const env: Record<string, string> = {};
  if (config.provider) env.SIMULATED_PROVIDER_FAILURE_RATE = String(config.provider.failureRate);
  for (const [selectorText, vars] of Object.entries(config.environment)) {
    if (selectorText === '*' || nameMatches(selectorText, functionName)) Object.assign(env, vars);
  }
  return Object.keys(env).length > 0 ? env : undefined;
}

/** Publishes poison copies through the runtime's own EventBridge endpoint. */
export function eventBridgePoisonPublisher(servicesEndpoint: string): PoisonPublisher {
  const client = new EventBridgeClient({
    endpoint: servicesEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return async (entry) => {
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: entry.busName, Source: entry.source, DetailType: entry.detailType, Detail: entry.detail },
        ],
      }),
    );
    const failed = result.Entries?.[0];
    if (result.FailedEntryCount || failed?.ErrorCode) throw new Error(`${failed?.ErrorCode}: ${failed?.ErrorMessage}`);
  };
}

/** What `npm start -- --faults <file>` needs from the runtime once it runs. */
export interface FaultsTarget {
  readonly servicesEndpoint: string;
  setFaults(faults: FaultInjector): void;
}

/**
 * A fault file for `npm start`: loaded before the start (so the environment and the first faults apply from the
 * beginning), bound to the runtime once it runs (poison copies need its endpoint), and reloaded when it changes.
 * A file that stops parsing keeps the last good faults.
 */
export class FaultsFile {
  private current: ConfiguredFaultInjector;
  private target: FaultsTarget | undefined;
  private publish: PoisonPublisher | undefined;
  private lastText: string;

  constructor(
    readonly path: string,
    private readonly log: (line: string) => void,
  ) {
    this.lastText = readFileSync(path, 'utf8');
    this.current = this.build(loadFaultsFile(path));
  }

  get config(): FaultsConfig {
    return this.current.config;
  }

  /** The injector to start with; it makes poison copies once `attach` gave it the endpoint. */
  get injector(): FaultInjector {
    return this.current;
  }

  environmentFor = (functionName: string): Record<string, string> | undefined =>
    environmentFor(this.current.config, functionName);

  attach(target: FaultsTarget): void {
    this.target = target;
    this.publish = eventBridgePoisonPublisher(target.servicesEndpoint);
    this.current = this.build(this.current.config);
    target.setFaults(this.current);
    this.log(`faults: loaded ${this.path} (${describeFaults(this.current.config)})`);
    watchFile(this.path, { interval: 150 }, () => this.reload());
  }

  close(): void {
    unwatchFile(this.path);
  }

  private reload(): void {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return; // being replaced; the next change event reads it
    }
    if (text === this.lastText) return;
    this.lastText = text;
    try {
      this.current = this.build(loadFaultsFile(this.path));
      this.target?.setFaults(this.current);
      this.log(`faults: reloaded ${this.path} (${describeFaults(this.current.config)})`);
    } catch (error) {
      this.log(`faults: kept the previous faults, ${(error as Error).message}`);
    }
  }

  private build(config: FaultsConfig): ConfiguredFaultInjector {
    const publish = this.publish;
    return createFaultInjector(config, { publish, log: (line) => this.log(`faults: ${line}`) });
  }
}

/** One line: which kinds of faults a configuration injects. */
export function describeFaults(config: FaultsConfig): string {
  const parts: string[] = [`seed ${config.seed}`];
  if (config.lambda.length) parts.push(`${config.lambda.length} lambda rule(s)`);
  for (const e of config.events) {
    const scope = [...(e.rules ?? []), ...(e.detailTypes ?? [])].join('/') || 'all';
    parts.push(`events (${scope}) dup ${e.duplicate}${e.delay ? ` + delay ≤ ${e.delay.maxMs} ms` : ''}`);
  }
  if (config.streams) parts.push(`streams dup ${config.streams.duplicate}`);
  if (config.putEvents) parts.push(`PutEvents failure ${config.putEvents.failure}`);
  if (config.poison) parts.push(`poison ${config.poison.probability}`);
  if (config.outages.length) parts.push(`${config.outages.length} outage(s)`);
  if (config.provider) parts.push(`provider failure ${config.provider.failureRate}`);
  if (config.dynamodb.length) parts.push(`${config.dynamodb.length} dynamodb rule(s)`);
  if (config.partitions) {
    const p = config.partitions;
    parts.push(`partitions ×${p.capacityScale} (burst ${p.burstSeconds} s${p.enforce ? '' : ', count only'})`);
  }
  if (config.transactionConflicts ?? config.partitions !== undefined) parts.push('transaction conflicts');
  if (Object.keys(config.environment).length) parts.push('environment overrides');
  return parts.join(', ');
}
