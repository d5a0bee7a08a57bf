/**
 * The embedded local runtime: runs the synthesized CDK template (cdk.out) on one machine, with no AWS
 * account, no Docker and no LocalStack. Everything it runs is derived from the cloud assembly; see
 * local/README.md for how it works and what differs from AWS.
 *
 * `startLocalRuntime()` is the programmatic API (the e2e suite, benchmarks and chaos runs use it);
 * `local/main.ts` is the `npm start` CLI over it.
 */
import { join, resolve } from 'node:path';
import { HttpApiGateway } from './api/gateway';
import { listenApi } from './api/server';
import { DeadLetters, deadLetterUsage, type StreamRedriver } from './dlq';
import { type CountingProxy, startCountingProxy } from './dynamodb/counting-proxy';
import { DynamoRawClient } from './dynamodb/raw-client';
import { StreamMapping } from './dynamodb/stream-mapping';
import { awsStreamArn, createTables } from './dynamodb/tables';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local';
import { type AwsEvent, EventBridgeEngine, type PendingDelivery } from './eventbridge/engine';
import { EventLog } from './eventbridge/event-log';
import { type FaultInjector, NO_FAULTS } from './faults';
import { FunctionIdentities } from './identity';
import { ChangeFeed, eventChange, executionChange } from './inspect/change-feed';
import { handleInspect } from './inspect/routes';
import { serveOpenApi } from './inspect/static';
import { type LocalEndpoints, lambdaEnvironment } from './lambda/environment';
import { type AsyncInvocation, type DestinationSender, LambdaHost } from './lambda/host';
import { providedModulesPath } from './lambda/provided-modules';
import { createLogSink, type LogOption, type LogSink, runtimeLine } from './logs';
import { Metrics, type MetricsSnapshot } from './metrics';
import { Journal } from './persist/journal';
import { JsonStore } from './persist/json-store';
import { eventBridgeApi } from './services/eventbridge-api';
import { startServicesServer } from './services/server';
import { stepFunctionsApi } from './services/sfn-api';
import { sqsApi } from './services/sqs-api';
import { QueueMapping } from './sqs/queue-mapping';
import { QueueStore } from './sqs/queue-store';
import { type Execution, StepFunctionsEngine, statusChangeDetail } from './stepfunctions/engine';
import { ensureCloudAssembly, type SynthMode, type SynthResult } from './synth';
import { loadCloudAssembly } from './template/assembly';
import { buildModel, buildTableDefs, type LocalModel } from './template/model';
import { type LocalEnvironment, TemplateResolver } from './template/resolver';
import { Wiring } from './wiring';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

export interface LocalRuntimeOptions {
  /** The cloud assembly directory. @default '<projectDir>/cdk.out' */
  readonly cdkOut?: string;
  /** The CDK project (where cdk.json is). @default process.cwd() */
  readonly projectDir?: string;
  /** A `cdk synth --app` override (e.g. a fixture app). @default the app of cdk.json */
  readonly app?: string;
  /** Synthesize always, never, or when a source is newer than cdk.out. @default 'auto' */
  readonly synth?: SynthMode;
  /** The API port; 0 picks a free one. @default the PORT variable, else 3000 */
  readonly port?: number;
  /** Keep DynamoDB data, queues, stream checkpoints, executions and pending work in this directory. */
  readonly persistDir?: string;
  /** Function and runtime log lines: to the console (default), nowhere, or to a callback. */
  readonly logs?: LogOption;
  /** Execution environments (worker threads) per function, at most. @default 4 */
  readonly workerPoolSize?: number;
  /** Factor applied to Step Functions Retry intervals and Wait seconds. @default 0.05 */
  readonly timeScale?: number;
  /** Waits before the asynchronous invocation retries (AWS: about 1 and 2 minutes). @default [250, 500] */
  readonly asyncRetryDelaysMs?: readonly number[];
  /** First EventBridge delivery retry wait, doubled per attempt up to 2 s. @default 100 */
  readonly eventRetryBaseMs?: number;
  /** Wait before retrying a failed stream batch (times the attempt, up to 5x). @default 100 */
  readonly streamRetryDelayMs?: number;
  /** Events kept in the event log. @default 20000 */
  readonly eventLogSize?: number;
  /** Closed Step Functions executions kept in memory. @default 20000 */
  readonly maxClosedExecutions?: number;
  /** Fault injection seams (issue 4). @default no faults */
  readonly faults?: FaultInjector;
  /**
   * Called on every status change of a Step Functions execution (start and close), in process: benchmarks use it
   * to see checkouts end without polling anything that would add load. @default none
   */
  readonly onExecutionStatusChange?: (execution: Execution) => void;
  /**
   * Extra environment variables of a function, over its template environment (fault files use it for the
   * simulated provider's failure rate). Read when a worker starts. @default none
   */
  readonly functionEnvironment?: (functionName: string) => Readonly<Record<string, string>> | undefined;
  /**
   * Account the DynamoDB capacity units each request consumes (in `metrics().dynamodb`): the counting proxy asks
   * DynamoDB Local for them and hides them from the answers. Costs some CPU per request. @default false
   */
  readonly dynamodbCapacity?: boolean;
}

export interface StartupSummary {
  readonly synth: SynthResult;
  /** Start-up time without the synth. */
  readonly startMs: number;
  readonly apiUrl: string;
  readonly servicesEndpoint: string;
  readonly dynamodb: {
    endpoint: string;
    localEndpoint: string;
    pid: number | undefined;
    persisted: boolean;
    startMs: number;
  };
  readonly counts: Record<string, number>;
  readonly stacks: string[];
  readonly notEmulated: Record<string, number>;
  readonly warnings: string[];
  readonly restored: { executions: number; restartedExecutions: number; asyncInvocations: number; deliveries: number };
}

export interface LocalRuntime {
  /** The HTTP API, e.g. `http://127.0.0.1:3000`. */
  readonly apiUrl: string;
  /** The AWS-compatible endpoint (EventBridge, Step Functions, SQS, Lambda Invoke). */
  readonly servicesEndpoint: string;
  /** The DynamoDB endpoint the functions use (counted by the metrics). */
  readonly dynamodbEndpoint: string;
  /** DynamoDB Local itself (uncounted). */
  readonly dynamodbLocalEndpoint: string;
  /** Logical id → physical name. */
  readonly tables: Readonly<Record<string, string>>;
  readonly functions: Readonly<Record<string, string>>;
  /** Logical id → queue URL. */
  readonly queues: Readonly<Record<string, string>>;
  /** State machine name → ARN. */
  readonly stateMachines: Readonly<Record<string, string>>;
  readonly summary: StartupSummary;
  readonly model: LocalModel;
  metrics(): MetricsSnapshot;
  resetMetrics(): void;
  /** Swaps the fault injector while running (chaos scenarios). */
  setFaults(faults: FaultInjector): void;
  /** Ends warm execution environments, so that the next invocations are cold starts. */
  recycleWorkers(functionName?: string): Promise<void>;
  /** Executions newest first (optionally by name). */
  executions(name?: string): Execution[];
  /** Stops everything: polling, workers, servers, DynamoDB Local. Safe to call twice. */
  stop(): Promise<void>;
}

/** Delegates to a replaceable injector, so that faults can change while the runtime runs. */
class SwitchableFaults implements FaultInjector {
  constructor(public current: FaultInjector) {}
  beforeLambdaInvoke: FaultInjector['beforeLambdaInvoke'] = (c) => this.current.beforeLambdaInvoke?.(c);
  afterLambdaInvoke: FaultInjector['afterLambdaInvoke'] = (c) => this.current.afterLambdaInvoke?.(c);
  dynamodbRequest: FaultInjector['dynamodbRequest'] = (c) => this.current.dynamodbRequest?.(c);
  putEventsEntry: FaultInjector['putEventsEntry'] = (c) => this.current.putEventsEntry?.(c);
  eventDelivery: FaultInjector['eventDelivery'] = (c) => this.current.eventDelivery?.(c);
  streamBatch: FaultInjector['streamBatch'] = (c) => this.current.streamBatch?.(c);
}

/** Undo steps, run in reverse order: when the start fails half-way, and at stop. */
class Cleanup {
  private readonly steps: { name: string; run: () => Promise<void> | void }[] = [];
  add(name: string, run: () => Promise<void> | void): void {
    this.steps.push({ name, run });
  }
  async run(log: LogSink): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step.run();
      } catch (error) {
        log(runtimeLine('WARN', `stopping ${step.name} failed: ${(error as Error).message}`));
      }
    }
  }
}

function defaultPort(): number {
  const fromEnv = process.env.PORT;
  return fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : 3000;
}

export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const log = createLogSink(options.logs);
  const projectDir = resolve(options.projectDir ?? process.cwd());
  const cdkOut = resolve(projectDir, options.cdkOut ?? 'cdk.out');
  const synth = await ensureCloudAssembly({ projectDir, cdkOut, mode: options.synth ?? 'auto', app: options.app });
  const started = performance.now();
  const stacks = loadCloudAssembly(cdkOut);
  const cleanup = new Cleanup();
  const faults = new SwitchableFaults(options.faults ?? NO_FAULTS);
  const metrics = new Metrics();
  const store = new JsonStore(options.persistDir ? resolve(options.persistDir) : undefined);
  let ready = false;
  let stopping = false;
  try {
    // 1. The API port first: a port in use fails the start at once; health answers 503 while starting.
    const api = await listenApi(options.port ?? defaultPort());
    cleanup.add('the API server', () => api.close());
    const apiUrl = `http://127.0.0.1:${api.port}`;
    const services = await startServicesServer();
    cleanup.add('the service endpoint', () => services.close());

    // 2. DynamoDB Local starts while the template is resolved.
    const ddbStarting = startDynamoDbLocal({
      dbPath: options.persistDir ? join(resolve(options.persistDir), 'dynamodb') : undefined,
      sharedDb: true,
    });
    ddbStarting.then((ddb) => cleanup.add('DynamoDB Local', () => ddb.stop())).catch(() => undefined);
    const env: LocalEnvironment = {
      account: LOCAL_ACCOUNT,
      region: LOCAL_REGION,
      partition: 'aws',
      urlSuffix: 'amazonaws.com',
      apiEndpoint: () => apiUrl,
      queueUrl: (name) => `${services.endpoint}/${LOCAL_ACCOUNT}/${name}`,
    };
    const resolver = new TemplateResolver(stacks, env);
    const tableDefs = buildTableDefs(resolver);
    const ddb: DynamoDbLocal = await ddbStarting;
    const raw = new DynamoRawClient(ddb.endpoint);
    cleanup.add('the DynamoDB client', () => raw.close());
    const tableSchemas = new Map(
      tableDefs.map((t) => [
        t.name,
        {
          key: ['HASH', 'RANGE'].flatMap((type) =>
            t.keySchema.filter((k) => k.KeyType === type).map((k) => k.AttributeName),
          ),
          indexKeys: [...t.globalSecondaryIndexes, ...t.localSecondaryIndexes].flatMap((i) =>
            i.KeySchema.map((k) => k.AttributeName),
          ),
          globalIndexes: t.globalSecondaryIndexes.flatMap((i) => {
            const partitionKey = i.KeySchema.find((k) => k.KeyType === 'HASH')?.AttributeName;
            return partitionKey ? [{ name: i.IndexName, partitionKey }] : [];
          }),
          arn: t.arn,
          onDemand: t.onDemand,
        },
      ]),
    );
    // Each function signs with its own access key: the proxy knows who sent a request (fault rules per function).
    const identities = new FunctionIdentities();
    const proxy: CountingProxy = await startCountingProxy(ddb.endpoint, metrics, {
      tables: tableSchemas,
      capacity: options.dynamodbCapacity === true,
      faults,
      identify: (authorization) => identities.functionOf(authorization),
    });
    cleanup.add('the DynamoDB counting proxy', () => proxy.close());
    const created = await createTables(raw, tableDefs);
    const localStreamArns = new Map<string, string>();
    for (const table of created) {
      if (!table.localStreamArn) continue;
      const arn = awsStreamArn(table.localStreamArn, LOCAL_REGION);
      resolver.setAttribute(table.def.ref, 'StreamArn', arn);
      localStreamArns.set(arn, table.localStreamArn);
    }

    // 3. Everything else of the template.
    const model = buildModel(resolver);
    identities.register(model.functions.map((f) => f.name));
    for (const warning of model.warnings) log(runtimeLine('WARN', warning));
    const queues = new QueueStore(model.queues, store);
    cleanup.add('the queues', () => queues.flush());
    // Changes for `GET /_local/stream` (the inspector page's live view); a no-op while nobody listens.
    const feed = new ChangeFeed();
    cleanup.add('the change feed', () => feed.close());
    const eventLog = new EventLog(options.eventLogSize ?? 20_000, (entry) => feed.publish(eventChange(entry)));
    const deliveryEnded = (eventId: string) => {
      const entry = eventLog.get(eventId);
      if (entry) feed.publish(eventChange(entry));
    };

    const wiring = new Wiring(queues);
    const sendToDestination: DestinationSender = async (arn, body, attributes) => {
      await wiring.sendToDestination(arn, body, attributes);
      feed.publish({ kind: 'queue', arn });
    };
    const endpoints: LocalEndpoints = {
      services: services.endpoint,
      dynamodb: proxy.endpoint,
      dynamodbStreams: ddb.endpoint,
      nodePath: providedModulesPath(projectDir),
      region: LOCAL_REGION,
    };

    const withExtraEnv = (def: (typeof model.functions)[number]) => {
      const extra = options.functionEnvironment?.(def.name);
      return extra ? { ...def, environment: { ...def.environment, ...extra } } : def;
    };
    const lambda = new LambdaHost({
      functions: model.functions.map(withExtraEnv),
      invokeConfigs: model.eventInvokeConfigs,
      maxWorkersPerFunction: options.workerPoolSize ?? 4,
      baseEnv: (def) => lambdaEnvironment(def, endpoints),
      log,
      metrics,
      faults,
      asyncRetryDelaysMs: options.asyncRetryDelaysMs ?? [250, 500],
      sendToDestination,
      journal: new Journal<AsyncInvocation>(
        store.dir ? join(store.dir, 'journal', 'async-invocations.jsonl') : undefined,
      ),
    });
    wiring.lambdaHost = lambda;
    cleanup.add('the functions', () => lambda.stop());
    const dynamoViaProxy = new DynamoRawClient(proxy.endpoint);
    cleanup.add('the task DynamoDB client', () => dynamoViaProxy.close());

    const eventsEngine = new EventBridgeEngine({
      account: LOCAL_ACCOUNT,
      region: LOCAL_REGION,
      buses: model.buses,
      rules: model.rules,
      log,
      metrics,
      faults,
      eventLog,
      journal: new Journal<PendingDelivery>(
        store.dir ? join(store.dir, 'journal', 'event-deliveries.jsonl') : undefined,
      ),
      retryBaseMs: options.eventRetryBaseMs ?? 100,
      retryMaxMs: 2_000,
      deadLetter: (arn, body, attributes) => sendToDestination(arn, body, attributes),
      dispatch: (target, rule, event, payload) =>
        wiring.dispatch(target, rule, event, payload).finally(() => deliveryEnded(event.id)),
    });
    wiring.eventBridge = eventsEngine;
    cleanup.add('EventBridge', () => eventsEngine.stop());

    const sfnEngine = new StepFunctionsEngine({
      machines: model.stateMachines,
      services: wiring.taskServices(dynamoViaProxy),
      log,
      metrics,
      store,
      timeScale: options.timeScale ?? 0.05,
      region: LOCAL_REGION,
      account: LOCAL_ACCOUNT,
      maxClosedExecutions: options.maxClosedExecutions ?? 20_000,
      onTransition: (execution) => feed.publish(executionChange(execution)),
      onStatusChange: (execution) => {
        options.onExecutionStatusChange?.(execution);
        feed.publish(executionChange(execution));
        // As AWS does: every status change of a STANDARD execution goes to the default bus.
        eventsEngine.publish('default', {
          source: 'aws.states',
          detailType: 'Step Functions Execution Status Change',
          detail: statusChangeDetail(execution),
          resources: [execution.executionArn],
        });
      },
    });
    wiring.stepFunctions = sfnEngine;
    cleanup.add('Step Functions', () => sfnEngine.shutdown());

    // 4. Event source mappings.
    const streamMappings: StreamMapping[] = [];
    const queueMappings: QueueMapping[] = [];
    const streamRedrivers: StreamRedriver[] = [];
    for (const def of model.eventSourceMappings) {
      if (!def.enabled || def.kind === 'unsupported') continue;
      const fn = lambda.find(def.functionName);
      if (!fn)
        throw new Error(
          `Event source mapping ${def.id} names function ${def.functionName}, which is not in the template`,
        );
      if (def.kind === 'dynamodb') {
        const localStreamArn = localStreamArns.get(def.eventSourceArn);
        if (!localStreamArn)
          throw new Error(
            `Event source mapping ${def.id}: ${def.eventSourceArn} is not the stream of a table in the template`,
          );
        const mapping = new StreamMapping({
          def,
          client: raw,
          localStreamArn,
          streamArn: def.eventSourceArn,
          region: LOCAL_REGION,
          functionArn: fn.arn,
          invoke: (name, eventJson, invokeOptions) => lambda.invoke(name, eventJson, invokeOptions),
          faults,
          metrics,
          log,
          sendToDestination: (arn, body) => sendToDestination(arn, body),
          store,
          retryDelayMs: options.streamRetryDelayMs ?? 100,
        });
        streamMappings.push(mapping);
        streamRedrivers.push({
          streamArn: def.eventSourceArn,
          functionName: fn.name,
          redrive: (info) => mapping.redrive(info),
        });
      } else {
        const queue = queues.find(def.eventSourceArn);
        if (!queue)
          throw new Error(`Event source mapping ${def.id}: queue ${def.eventSourceArn} is not in the template`);
        queueMappings.push(
          new QueueMapping({
            def,
            queue,
            queues,
            region: LOCAL_REGION,
            invoke: (name, eventJson, invokeOptions) => lambda.invoke(name, eventJson, invokeOptions),
            metrics,
            concurrency: Math.min(2, options.workerPoolSize ?? 4),
          }),
        );
      }
    }
    cleanup.add('the event source mappings, executions and functions', async () => {
      // Stop polling, abandon running executions (they stay RUNNING on disk), end the workers (in-flight
      // invocations end with Runtime.Shutdown and are not counted as failures), then wait for the pollers.
      const polling = [...streamMappings, ...queueMappings].map((m) => m.stop());
      await sfnEngine.shutdown();
      await eventsEngine.stop();
      await lambda.stop();
      await Promise.all(polling);
    });

    const gateway = new HttpApiGateway({
      apis: model.httpApis,
      lambda,
      log,
      metrics,
      accountId: LOCAL_ACCOUNT,
      serviceIntegration: wiring.serviceIntegration,
    });

    const deadLetters = new DeadLetters(queues, deadLetterUsage(model), lambda, eventsEngine, streamRedrivers);
    services.attach({
      eventBridge: eventBridgeApi(
        eventsEngine,
        (name) => `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:event-bus/${name}`,
      ),
      stepFunctions: stepFunctionsApi(sfnEngine),
      sqs: sqsApi(queues),
      lambda,
    });

    // 5. Work left over from the last run (with --persist), then polling and schedules.
    const restoredExecutions = sfnEngine.restore();
    const restoredAsync = lambda.resumePending();
    const restoredDeliveries = eventsEngine.resumePending();
    for (const mapping of [...streamMappings, ...queueMappings]) mapping.start();
    eventsEngine.startSchedules();

    const byLogicalId = (defs: { logicalId: string; name: string }[]) =>
      Object.fromEntries(defs.map((d) => [d.logicalId, d.name]));
    const summary: StartupSummary = {
      synth,
      startMs: Math.round(performance.now() - started),
      apiUrl,
      servicesEndpoint: services.endpoint,
      dynamodb: {
        endpoint: proxy.endpoint,
        localEndpoint: ddb.endpoint,
        pid: ddb.pid,
        persisted: Boolean(options.persistDir),
        startMs: ddb.startedInMs,
      },
      counts: {
        stacks: stacks.length,
        functions: model.functions.length,
        routes: gateway.routeCount,
        rules: model.rules.length,
        stateMachines: model.stateMachines.length,
        tables: created.length,
        queues: model.queues.length,
        buses: model.buses.length,
        eventSourceMappings: model.eventSourceMappings.length,
      },
      stacks: stacks.map((s) => s.stackName),
      notEmulated: model.notEmulated,
      warnings: model.warnings,
      restored: {
        executions: restoredExecutions.loaded,
        restartedExecutions: restoredExecutions.restarted,
        asyncInvocations: restoredAsync,
        deliveries: restoredDeliveries,
      },
    };
    const health = () => ({
      status: ready ? 'ok' : stopping ? 'stopping' : 'starting',
      startMs: summary.startMs,
      synthMs: Math.round(synth.durationMs),
      apiUrl,
      servicesEndpoint: services.endpoint,
      dynamodbEndpoint: proxy.endpoint,
      counts: summary.counts,
    });
    const resources = () => ({
      stacks: summary.stacks,
      functions: model.functions.map((f) => ({
        name: f.name,
        logicalId: f.logicalId,
        stack: f.stackName,
        runtime: f.runtime,
        handler: f.handler,
        timeoutSeconds: f.timeoutSeconds,
        memoryMb: f.memoryMb,
        reservedConcurrency: f.reservedConcurrency ?? null,
        notRunnable: f.notRunnable ?? null,
        workers: lambda.poolStats()[f.name] ?? null,
      })),
      apis: gateway.describe(apiUrl),
      tables: created.map((t) => ({
        name: t.def.name,
        logicalId: t.def.ref.logicalId,
        streamArn: t.localStreamArn ? awsStreamArn(t.localStreamArn, LOCAL_REGION) : null,
      })),
      queues: model.queues.map((q) => ({ name: q.name, url: q.url, arn: q.arn, ...queues.counts(queues.get(q.name)) })),
      buses: model.buses,
      rules: model.rules,
      archives: model.archives,
      eventSourceMappings: model.eventSourceMappings.map((m) => ({
        ...m,
        checkpoints: streamMappings.find((s) => s.id === m.id)?.checkpoints() ?? null,
      })),
      eventInvokeConfigs: model.eventInvokeConfigs,
      stateMachines: model.stateMachines.map((m) => ({ name: m.name, arn: m.arn, type: m.type })),
      notEmulated: model.notEmulated,
      warnings: model.warnings,
    });
    // The generated OpenAPI document at /openapi.json, unless the template has a route of its own there.
    const templateServesOpenApi = model.httpApis.some((a) =>
      a.routes.some((r) => /^(GET|ANY) \/openapi\.json$/.test(r.routeKey)),
    );
    api.setHandler(async (req, res) => {
      if (
        await handleInspect(req, res, {
          ready: () => ready,
          health,
          stepFunctions: sfnEngine,
          eventLog,
          events: eventsEngine,
          deadLetters,
          metrics,
          resources,
          feed,
        })
      )
        return;
      const url = req.url ?? '/';
      if (
        !templateServesOpenApi &&
        (url === '/openapi.json' || url.startsWith('/openapi.json?')) &&
        (req.method === 'GET' || req.method === 'HEAD')
      ) {
        await serveOpenApi(projectDir, req.method, res);
        return;
      }
      if (!ready) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'Service Unavailable' }));
        return;
      }
      await gateway.handle(req, res);
    });
    ready = true;

    let stopped: Promise<void> | undefined;
    const runtime: LocalRuntime = {
      apiUrl,
      servicesEndpoint: services.endpoint,
      dynamodbEndpoint: proxy.endpoint,
      dynamodbLocalEndpoint: ddb.endpoint,
      tables: Object.fromEntries(created.map((t) => [t.def.ref.logicalId, t.def.name])),
      functions: byLogicalId(model.functions),
      queues: Object.fromEntries(
        resolver
          .resources('AWS::SQS::Queue')
          .map((r) => [r.logicalId, `${services.endpoint}/${LOCAL_ACCOUNT}/${resolver.physicalName(r)}`]),
      ),
      stateMachines: Object.fromEntries(model.stateMachines.map((m) => [m.name, m.arn])),
      summary,
      model,
      metrics: () => metrics.snapshot(),
      resetMetrics: () => metrics.reset(),
      setFaults: (f) => {
        faults.current = f;
      },
      recycleWorkers: (name) => lambda.recycle(name),
      executions: (name) => sfnEngine.list(name ? { name } : {}),
      stop: () => {
        stopped ??= (async () => {
          ready = false;
          stopping = true;
          await cleanup.run(log);
        })();
        return stopped;
      },
    };
    return runtime;
  } catch (error) {
    await cleanup.run(log);
    throw error;
  }
}

export type { AwsEvent, Execution, FaultInjector, MetricsSnapshot };
